-- The dashboard (issue 8): notes on runs, wall time of each point, searches refined from a
-- parent's selection, gradient checks of a run, and live events pushed by LISTEN/NOTIFY.
ALTER TABLE "runs" ADD COLUMN "notes" TEXT;

-- Seconds since the run started (its first attempt) when the point was written: the wall-time axis.
ALTER TABLE "metric_points" ADD COLUMN "seconds" DOUBLE PRECISION;

ALTER TABLE "searches" ADD COLUMN "parent_search_id" UUID;
ALTER TABLE "searches" ADD CONSTRAINT "searches_parent_search_id_fkey" FOREIGN KEY ("parent_search_id") REFERENCES "searches"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "searches_parent_search_id_idx" ON "searches"("parent_search_id");

ALTER TABLE "gradient_checks" ADD COLUMN "run_id" UUID;
ALTER TABLE "gradient_checks" ADD CONSTRAINT "gradient_checks_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "runs"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "gradient_checks_run_id_idx" ON "gradient_checks"("run_id");

-- Live events: every change a dashboard shows is announced on commit, whoever wrote it (any
-- worker on any machine), so the API pushes it without polling. The payload is the id.
CREATE FUNCTION "trainyard_notify_points"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE r uuid;
BEGIN
  FOR r IN SELECT DISTINCT run_id FROM inserted LOOP
    PERFORM pg_notify('trainyard_run', r::text);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER "metric_points_notify" AFTER INSERT ON "metric_points" REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION "trainyard_notify_points"();

CREATE FUNCTION "trainyard_notify_run"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trainyard_run', NEW.id::text);
  IF NEW.search_id IS NOT NULL THEN PERFORM pg_notify('trainyard_search', NEW.search_id::text); END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER "runs_notify" AFTER UPDATE ON "runs" FOR EACH ROW EXECUTE FUNCTION "trainyard_notify_run"();

CREATE FUNCTION "trainyard_notify_search"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('trainyard_search', NEW.id::text);
  RETURN NULL;
END $$;
CREATE TRIGGER "searches_notify" AFTER UPDATE ON "searches" FOR EACH ROW EXECUTE FUNCTION "trainyard_notify_search"();
