CREATE TYPE "public"."member_status" AS ENUM('pending', 'accepted', 'rejected');--> statement-breakpoint
CREATE TABLE "image_members" (
	"image_id" uuid NOT NULL,
	"member_id" text NOT NULL,
	"status" "member_status" DEFAULT 'pending' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "image_members_image_id_member_id_pk" PRIMARY KEY("image_id","member_id")
);
--> statement-breakpoint
CREATE TABLE "worker_heartbeats" (
	"worker_id" text PRIMARY KEY NOT NULL,
	"concurrency" integer NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "images" ALTER COLUMN "visibility" SET DEFAULT 'shared';--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "protected" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "images" ADD COLUMN "properties" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "heartbeat_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_active_tasks" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_pending_tasks" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_images" integer;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "max_image_bytes" bigint;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "last_dispatched_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "image_members" ADD CONSTRAINT "image_members_image_id_images_id_fk" FOREIGN KEY ("image_id") REFERENCES "public"."images"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "image_members_member_idx" ON "image_members" USING btree ("member_id");--> statement-breakpoint
CREATE INDEX "tasks_undispatched_idx" ON "tasks" USING btree ("tenant_id","created_at") WHERE "tasks"."status" = 'pending' and "tasks"."dispatched_at" is null;