variable "project_id" {
  description = "The GCP project Arbiter runs in."
  type        = string
}

variable "region" {
  description = "Region of the Cloud Run services, the Artifact Registry repository, Cloud Scheduler and the load balancer's serverless endpoint. EU, like the data."
  type        = string
  default     = "europe-west1"
}

variable "environment" {
  description = "ARBITER_ENV of every service: dev, staging or prod (local is for emulators only)."
  type        = string
  default     = "prod"

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "image_tag" {
  description = "Tag of the five images in the Artifact Registry repository (the one Cloud Build pushed, e.g. the commit SHA)."
  type        = string
}

variable "artifact_repository_id" {
  description = "Artifact Registry repository (Docker) the images are pushed to and pulled from."
  type        = string
  default     = "arbiter"
}

variable "firestore_location" {
  description = "Firestore location of the (default) database: eur3 (multi-region EU) or an EU region."
  type        = string
  default     = "eur3"
}

variable "bigquery_location" {
  description = "Location of the audit dataset (CONTRACT.md: EU)."
  type        = string
  default     = "EU"
}

variable "evidence_bucket_name" {
  description = "Name of the evidence bucket (globally unique). Evidence objects are deleted after the longest evidence retention of any policy."
  type        = string
}

variable "evidence_location" {
  description = "Location of the evidence bucket."
  type        = string
  default     = "EU"
}

variable "reviewer_domain" {
  description = "DNS name reviewers open the console at (a Google-managed certificate is issued for it; point an A record at the output reviewer_ip)."
  type        = string
}

variable "reviewer_members" {
  description = "IAM members allowed through IAP to the reviewer console and API, e.g. [\"group:reviewers@example.com\"]. Roles inside Arbiter come from the reviewer's Identity Platform custom claims."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for m in var.reviewer_members : !contains(["allUsers", "allAuthenticatedUsers"], m)])
    error_message = "reviewer_members may not be allUsers or allAuthenticatedUsers: the console is for reviewers only."
  }
}

variable "iap_oauth_client_id" {
  description = "OAuth client id for IAP; null uses Google's managed OAuth client (internal users of the organisation)."
  type        = string
  default     = null
}

variable "iap_oauth_client_secret" {
  description = "OAuth client secret for IAP, with iap_oauth_client_id."
  type        = string
  default     = null
  sensitive   = true
}

variable "external_publishers" {
  description = "Who may publish to the topics other teams write (CONTRACT.md), by topic: e.g. { \"arbiter-predictions\" = [\"serviceAccount:vision@other.iam.gserviceaccount.com\"] }."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for topic in keys(var.external_publishers) : contains(["arbiter-predictions", "arbiter-evidence"], topic)])
    error_message = "Other teams publish only to arbiter-predictions and arbiter-evidence."
  }
}

variable "external_subscribers" {
  description = "Who may attach subscriptions to the topics Arbiter publishes for other teams, by topic: e.g. { \"arbiter-decisions\" = [\"serviceAccount:payments@other.iam.gserviceaccount.com\"] }."
  type        = map(list(string))
  default     = {}

  validation {
    condition     = alltrue([for topic in keys(var.external_subscribers) : contains(["arbiter-decisions", "arbiter-evidence-requests", "arbiter-escalations"], topic)])
    error_message = "Other teams subscribe only to arbiter-decisions, arbiter-evidence-requests and arbiter-escalations."
  }
}

variable "evidence_writers" {
  description = "IAM members that upload evidence objects (the upstream models, the crew app): roles/storage.objectCreator on the bucket."
  type        = list(string)
  default     = []
}

variable "audit_readers" {
  description = "IAM members that read the audit dataset and its metric views (analysts): roles/bigquery.dataViewer on the dataset."
  type        = list(string)
  default     = []
}

variable "min_instances" {
  description = "Minimum instances per service. At least 1 keeps each service's outbox sweep and the console warm."
  type        = number
  default     = 1
}

variable "max_instances" {
  description = "Maximum instances per service."
  type        = number
  default     = 10
}

variable "cpu" {
  description = "CPU limit of each service's container."
  type        = string
  default     = "1"
}

variable "memory" {
  description = "Memory limit of each service's container."
  type        = string
  default     = "512Mi"
}

variable "log_level" {
  description = "LOG_LEVEL of every service."
  type        = string
  default     = "info"
}

variable "escalator_schedule" {
  description = "Cron schedule (Cloud Scheduler) of the SLA escalator's tick, which also runs the reconciler. Cloud Scheduler's finest grain is a minute."
  type        = string
  default     = "* * * * *"
}

variable "scheduler_time_zone" {
  description = "Time zone of the schedules."
  type        = string
  default     = "Etc/UTC"
}

variable "deletion_protection" {
  description = "Protect the Cloud Run services, the Firestore database and the BigQuery tables from terraform destroy."
  type        = bool
  default     = true
}

variable "secret_env" {
  description = "Environment variables whose values come from Secret Manager, by service, e.g. { \"review-queue\" = [\"SOME_KEY\"] }: creates arbiter-<service>-<variable> for you to add a version to. None is needed by default."
  type        = map(list(string))
  default     = {}
}

variable "extra_env" {
  description = "More environment variables by service (e.g. { \"review-queue\" = { ARBITER_CLAIM_LEASE = \"PT15M\" } }); see .env.example."
  type        = map(map(string))
  default     = {}
}

variable "otlp_endpoint" {
  description = "OTEL_EXPORTER_OTLP_ENDPOINT of every service: where spans and metrics go by OTLP/HTTP, e.g. an OpenTelemetry Collector that forwards to Cloud Trace (docs/architecture.md, Traces and metrics). Empty: tracing off."
  type        = string
  default     = ""

  validation {
    condition     = var.otlp_endpoint == "" || can(regex("^https?://", var.otlp_endpoint))
    error_message = "otlp_endpoint must be an http(s) URL, or empty for no tracing."
  }
}

variable "traces_sampler" {
  description = "OTEL_TRACES_SAMPLER of every service (with an OTLP endpoint): parentbased_traceidratio samples a share of new traces and follows the caller's decision for the rest."
  type        = string
  default     = "parentbased_traceidratio"
}

variable "traces_sampler_ratio" {
  description = "OTEL_TRACES_SAMPLER_ARG: the share of new traces sampled (0 to 1), for the ratio samplers."
  type        = string
  default     = "0.1"
}
