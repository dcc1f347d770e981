-- Leases and synchronous successive halving (issue 10).
-- Each training attempt holds a lease: its token is set when the attempt claims the run, and
-- every write of the attempt is fenced by it, so a leftover or duplicate trainer changes nothing.
ALTER TABLE "runs" ADD COLUMN "lease_token" UUID;

-- A group parked at a rung that is not decided yet, and how many times it was released (the
-- queue's job id of a release includes it).
ALTER TABLE "trial_groups" ADD COLUMN "wait_step" INTEGER;
ALTER TABLE "trial_groups" ADD COLUMN "releases" INTEGER NOT NULL DEFAULT 0;

-- Rung values are recorded first and decided together once the rung is complete: promoted is
-- null until then. The metrics at the rung become a pruned trial's metrics.
ALTER TABLE "rung_results" ALTER COLUMN "promoted" DROP NOT NULL;
ALTER TABLE "rung_results" ADD COLUMN "train_loss" DOUBLE PRECISION;
ALTER TABLE "rung_results" ADD COLUMN "train_cost" DOUBLE PRECISION;
ALTER TABLE "rung_results" ADD COLUMN "train_accuracy" DOUBLE PRECISION;
ALTER TABLE "rung_results" ADD COLUMN "validation_loss" DOUBLE PRECISION;
ALTER TABLE "rung_results" ADD COLUMN "validation_cost" DOUBLE PRECISION;
ALTER TABLE "rung_results" ADD COLUMN "validation_accuracy" DOUBLE PRECISION;
