-- cloud_images_admission_usage (0004) as it was meant: its slot loop's variable shadowed `slot`, so the slot it
-- recorded for the insert was always null and an admitted task counted on a random usage shard, where two
-- concurrent POSTs of a tenant could wait for each other. The loop now has its own variable.
CREATE OR REPLACE FUNCTION "cloud_images_admission_usage"(p_tenant text, p_exclusive boolean, p_slots integer)
RETURNS TABLE ("max_pending" integer, "max_images" integer, "pending" integer, "images" integer)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  tenant_key integer := hashtext(p_tenant);
  slot integer;
BEGIN
  IF p_exclusive THEN
    PERFORM pg_advisory_xact_lock(hashtext('cloud-images:admission'), tenant_key);
  ELSE
    PERFORM pg_advisory_xact_lock_shared(hashtext('cloud-images:admission'), tenant_key);
    FOR candidate IN 0 .. p_slots - 1 LOOP
      IF pg_try_advisory_xact_lock(hashtext('cloud-images:admission-slot-' || candidate), tenant_key) THEN
        slot := candidate;
        EXIT;
      END IF;
    END LOOP;
    -- Every slot busy: queue on one at random. A slot holder never waits for another lock: no deadlock.
    IF slot IS NULL THEN
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
-- Admission and the task insert in one statement (services/api tenant-admission.ts): a POST without an
-- idempotency key is then one round trip and its own transaction, instead of BEGIN, the admission read, the
-- INSERT and COMMIT. A refusal is an error, so that statement's transaction rolls back having written nothing
-- and released its locks:
--   CI001: shared mode found the tenant within p_slots of a limit; call again with p_exclusive.
--   CI002: over a limit; DETAIL is {"limit": "max_pending_tasks" | "max_images", "max": n, "current": n}.
-- p_admit false inserts without admission (a task born failed takes no slot). An idempotency key that another
-- task already holds inserts nothing and returns no row (ON CONFLICT DO NOTHING); the caller reads the winner.
CREATE FUNCTION "cloud_images_admit_task"(
  p_tenant text, p_type "task_type", p_input jsonb, p_idempotency_key text, p_request_hash text,
  p_admit boolean, p_exclusive boolean, p_slots integer, p_default_max_pending integer, p_default_max_images integer)
RETURNS SETOF "tasks" LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  usage record;
  margin integer := CASE WHEN p_exclusive THEN 1 ELSE p_slots END;
  max_pending integer;
  max_images integer;
  pending_full boolean;
  images_full boolean;
BEGIN
  IF p_admit THEN
    SELECT * INTO usage FROM "cloud_images_admission_usage"(p_tenant, p_exclusive, p_slots);
    -- No tenant row: nothing to count; the foreign key rejects the insert below.
    IF FOUND THEN
      max_pending := coalesce(usage."max_pending", p_default_max_pending);
      max_images := coalesce(usage."max_images", p_default_max_images);
      pending_full := usage."pending" + margin > max_pending;
      images_full := p_type = 'import' AND usage."images" + margin > max_images;
      IF (pending_full OR images_full) AND NOT p_exclusive THEN
        RAISE EXCEPTION 'the tenant is near a limit: admit under the exclusive lock' USING ERRCODE = 'CI001';
      END IF;
      IF pending_full THEN
        RAISE EXCEPTION 'over max_pending_tasks' USING ERRCODE = 'CI002', DETAIL = json_build_object(
          'limit', 'max_pending_tasks', 'max', max_pending, 'current', usage."pending")::text;
      END IF;
      IF images_full THEN
        RAISE EXCEPTION 'over max_images' USING ERRCODE = 'CI002', DETAIL = json_build_object(
          'limit', 'max_images', 'max', max_images, 'current', usage."images")::text;
      END IF;
    END IF;
  END IF;
  RETURN QUERY
    INSERT INTO "tasks" ("tenant_id", "type", "input", "idempotency_key", "request_hash")
    VALUES (p_tenant, p_type, p_input, p_idempotency_key, p_request_hash)
    ON CONFLICT ("tenant_id", "idempotency_key") WHERE "idempotency_key" IS NOT NULL DO NOTHING
    RETURNING *;
END $$;
