ALTER TABLE "worker_heartbeats" ADD COLUMN "host_id" text;--> statement-breakpoint
ALTER TABLE "worker_heartbeats" ADD COLUMN "host_slots" integer;