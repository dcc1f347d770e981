-- Hardening (issue 9): a search whose coordination keeps failing ends failed with its reason
-- after a bounded number of consecutive failed steps, instead of being retried for ever.
ALTER TABLE "searches" ADD COLUMN "step_failures" INTEGER NOT NULL DEFAULT 0;

-- GET /metrics reads the epochs stored since its last scrape: by index, not a scan of every epoch.
CREATE INDEX "epochs_created_at_idx" ON "epochs" ("created_at");
