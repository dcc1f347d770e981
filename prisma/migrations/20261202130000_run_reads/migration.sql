-- Run reads (issue 11). New runs are announced too (the API's cached run lists are dropped on
-- any run change, and a worker's coordinator inserts a search's trials). The list's default
-- order, newest first with the id as tie-break, gets an index in exactly that order (the old
-- one had the id ascending, so each page sorted the project's runs).
CREATE TRIGGER "runs_notify_insert" AFTER INSERT ON "runs" FOR EACH ROW EXECUTE FUNCTION "trainyard_notify_run"();

DROP INDEX "runs_project_id_created_at_id_idx";
CREATE INDEX "runs_project_id_created_at_id_idx" ON "runs"("project_id", "created_at" DESC, "id" DESC);
