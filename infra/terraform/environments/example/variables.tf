variable "project_id" {
  description = "The GCP project Arbiter runs in."
  type        = string
}

variable "region" {
  description = "Region of the services (EU)."
  type        = string
  default     = "europe-west1"
}

variable "environment" {
  description = "ARBITER_ENV: dev, staging or prod."
  type        = string
  default     = "prod"
}

variable "image_tag" {
  description = "Tag of the images Cloud Build pushed (e.g. the commit SHA)."
  type        = string
}

variable "evidence_bucket_name" {
  description = "Globally unique name of the evidence bucket."
  type        = string
}

variable "reviewer_domain" {
  description = "DNS name of the reviewer console."
  type        = string
}

variable "reviewer_members" {
  description = "Who may reach the console through IAP (groups or users)."
  type        = list(string)
  default     = []
}

variable "external_publishers" {
  description = "Publishers of arbiter-predictions and arbiter-evidence, by topic."
  type        = map(list(string))
  default     = {}
}

variable "external_subscribers" {
  description = "Subscribers of arbiter-decisions, arbiter-evidence-requests and arbiter-escalations, by topic."
  type        = map(list(string))
  default     = {}
}

variable "evidence_writers" {
  description = "Who uploads evidence objects."
  type        = list(string)
  default     = []
}

variable "audit_readers" {
  description = "Who reads the audit dataset and the metric views."
  type        = list(string)
  default     = []
}
