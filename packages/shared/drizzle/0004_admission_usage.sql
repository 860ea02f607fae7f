CREATE TABLE "tenant_usage" (
	"tenant_id" text NOT NULL,
	"shard" smallint NOT NULL,
	"unfinished_tasks" integer DEFAULT 0 NOT NULL,
	"images_held" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tenant_usage_tenant_id_shard_pk" PRIMARY KEY("tenant_id","shard")
);
--> statement-breakpoint
ALTER TABLE "tenant_usage" ADD CONSTRAINT "tenant_usage_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_holding_slot_idx" ON "tasks" USING btree ("tenant_id") WHERE "tasks"."status" = 'processing' or ("tasks"."status" = 'pending' and "tasks"."dispatched_at" is not null);--> statement-breakpoint
-- Adds one change to a tenant's usage (tenant_usage, one of its 8 shards). A tenant being deleted (its tasks and
-- images go by cascade) has no usage left to keep, so changes for a tenant row no longer visible are dropped.
CREATE FUNCTION "cloud_images_add_tenant_usage"(p_tenant text, p_shard smallint, p_tasks integer, p_images integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF p_tasks = 0 AND p_images = 0 THEN RETURN; END IF;
  IF NOT EXISTS (SELECT 1 FROM "tenants" WHERE "id" = p_tenant) THEN RETURN; END IF;
  INSERT INTO "tenant_usage" AS u ("tenant_id", "shard", "unfinished_tasks", "images_held")
  VALUES (p_tenant, p_shard, p_tasks, p_images)
  ON CONFLICT ("tenant_id", "shard") DO UPDATE
    SET "unfinished_tasks" = u."unfinished_tasks" + excluded."unfinished_tasks",
        "images_held" = u."images_held" + excluded."images_held";
END $$;
--> statement-breakpoint
-- 1 when the task is an unfinished import. Locks the task row (FOR SHARE) until the caller commits, so a
-- concurrent status change of that task waits and then counts with this image row visible: never twice.
CREATE FUNCTION "cloud_images_unfinished_import"(p_task uuid)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  result integer;
BEGIN
  SELECT ("type" = 'import' AND "status" IN ('pending', 'processing'))::integer INTO result
    FROM "tasks" WHERE "id" = p_task FOR SHARE;
  RETURN coalesce(result, 0);
END $$;
--> statement-breakpoint
-- tasks: unfinished_tasks follows the status; images_held counts an unfinished import only while no image row
-- names it as its source (the image row is counted instead).
CREATE FUNCTION "cloud_images_task_usage"()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_unfinished integer := 0;
  new_unfinished integer := 0;
  old_import integer := 0;
  new_import integer := 0;
  images_delta integer := 0;
  row_tenant text;
  row_id uuid;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    old_unfinished := (OLD."status" IN ('pending', 'processing'))::integer;
    old_import := (OLD."type" = 'import' AND OLD."status" IN ('pending', 'processing'))::integer;
    row_tenant := OLD."tenant_id";
    row_id := OLD."id";
  END IF;
  IF TG_OP <> 'DELETE' THEN
    new_unfinished := (NEW."status" IN ('pending', 'processing'))::integer;
    new_import := (NEW."type" = 'import' AND NEW."status" IN ('pending', 'processing'))::integer;
    row_tenant := NEW."tenant_id";
    row_id := NEW."id";
  END IF;
  IF new_import <> old_import AND NOT EXISTS (SELECT 1 FROM "images" WHERE "source_task_id" = row_id) THEN
    images_delta := new_import - old_import;
  END IF;
  -- An admitted insert uses its admission slot's shard (see cloud_images_admission_usage); other changes the row's.
  PERFORM "cloud_images_add_tenant_usage"(
    row_tenant,
    CASE WHEN TG_OP = 'INSERT' AND coalesce(current_setting('cloud_images.admission_slot', true), '') <> ''
      THEN current_setting('cloud_images.admission_slot', true)::smallint
      ELSE (hashtext(row_id::text) & 7)::smallint END,
    new_unfinished - old_unfinished, images_delta);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- images: an image queued, saving or active is held; an image row naming an unfinished import takes over that
-- import's place in images_held (and gives it back when the row goes away).
CREATE FUNCTION "cloud_images_image_usage"()
RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  delta integer := 0;
  row_tenant text;
  row_id uuid;
  source_changed boolean := true;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    source_changed := OLD."source_task_id" IS DISTINCT FROM NEW."source_task_id";
  END IF;
  IF TG_OP <> 'INSERT' THEN
    delta := delta - (OLD."status" IN ('queued', 'saving', 'active'))::integer;
    IF source_changed AND OLD."source_task_id" IS NOT NULL THEN
      delta := delta + "cloud_images_unfinished_import"(OLD."source_task_id");
    END IF;
    row_tenant := OLD."tenant_id";
    row_id := OLD."id";
  END IF;
  IF TG_OP <> 'DELETE' THEN
    delta := delta + (NEW."status" IN ('queued', 'saving', 'active'))::integer;
    IF source_changed AND NEW."source_task_id" IS NOT NULL THEN
      delta := delta - "cloud_images_unfinished_import"(NEW."source_task_id");
    END IF;
    row_tenant := NEW."tenant_id";
    row_id := NEW."id";
  END IF;
  PERFORM "cloud_images_add_tenant_usage"(row_tenant, (hashtext(row_id::text) & 7)::smallint, 0, delta);
  RETURN NULL;
END $$;
--> statement-breakpoint
-- Admission's locks and the tenant's limits and usage, in one round trip (services/api tenant-admission.ts says
-- why the locks make the limits exact). VOLATILE: in READ COMMITTED its RETURN QUERY takes a fresh snapshot
-- after the locks are held, so the usage includes every admission that committed before they were granted.
CREATE FUNCTION "cloud_images_admission_usage"(p_tenant text, p_exclusive boolean, p_slots integer)
RETURNS TABLE ("max_pending" integer, "max_images" integer, "pending" integer, "images" integer)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  tenant_key integer := hashtext(p_tenant);
  slot integer;
  got boolean := false;
BEGIN
  IF p_exclusive THEN
    PERFORM pg_advisory_xact_lock(hashtext('cloud-images:admission'), tenant_key);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtext('cloud-images:admission'), tenant_key);
    FOR slot IN 0 .. p_slots - 1 LOOP
      IF pg_try_advisory_xact_lock(hashtext('cloud-images:admission-slot-' || slot), tenant_key) THEN
        got := true;
        EXIT;
      END IF;
    END LOOP;
    -- Every slot busy: queue on one at random. A slot holder never waits for another lock: no deadlock.
    IF NOT got THEN
      slot := floor(random() * p_slots)::integer;
      PERFORM pg_advisory_xact_lock(hashtext('cloud-images:admission-slot-' || slot), tenant_key);
    END IF;
    -- The task this transaction inserts counts in tenant_usage shard `slot`: concurrent admissions hold distinct
    -- slots, so their inserts never wait for each other on one usage row.
    PERFORM set_config('cloud_images.admission_slot', (slot % 8)::text, true);
  END IF;
  RETURN QUERY
    SELECT t."max_pending_tasks", t."max_images",
           coalesce(sum(u."unfinished_tasks"), 0)::integer, coalesce(sum(u."images_held"), 0)::integer
    FROM "tenants" t LEFT JOIN "tenant_usage" u ON u."tenant_id" = t."id"
    WHERE t."id" = p_tenant
    GROUP BY t."id";
END $$;
--> statement-breakpoint
-- The triggers first: creating them locks both tables against writes until this migration commits, so the
-- backfill below counts every row and no change slips between the count and the triggers.
CREATE TRIGGER "tasks_tenant_usage" AFTER INSERT OR DELETE OR UPDATE OF "status" ON "tasks"
  FOR EACH ROW EXECUTE FUNCTION "cloud_images_task_usage"();
--> statement-breakpoint
CREATE TRIGGER "images_tenant_usage" AFTER INSERT OR DELETE OR UPDATE OF "status", "source_task_id" ON "images"
  FOR EACH ROW EXECUTE FUNCTION "cloud_images_image_usage"();
--> statement-breakpoint
INSERT INTO "tenant_usage" ("tenant_id", "shard", "unfinished_tasks", "images_held")
SELECT t."id", 0,
  (SELECT count(*) FROM "tasks" k WHERE k."tenant_id" = t."id" AND k."status" IN ('pending', 'processing')),
  (SELECT count(*) FROM "images" i WHERE i."tenant_id" = t."id" AND i."status" IN ('queued', 'saving', 'active'))
  + (SELECT count(*) FROM "tasks" k
      WHERE k."tenant_id" = t."id" AND k."type" = 'import' AND k."status" IN ('pending', 'processing')
        AND NOT EXISTS (SELECT 1 FROM "images" i WHERE i."source_task_id" = k."id"))
FROM "tenants" t;
