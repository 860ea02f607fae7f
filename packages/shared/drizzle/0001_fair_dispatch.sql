CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"concurrency" integer NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_active_tasks" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_pending_tasks" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_images" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_image_bytes" bigint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "last_dispatched_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "tasks_undispatched_idx" ON "tasks" USING btree ("tenant_id","created_at") WHERE "tasks"."status" = 'pending' and "tasks"."dispatched_at" is null;