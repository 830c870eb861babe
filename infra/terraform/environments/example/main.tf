# An example environment: copy this folder for each of your environments (dev, staging, prod), set
# the variables in terraform.tfvars (see terraform.tfvars.example) and the state bucket below, then
# `terraform init && terraform apply`. docs/deploy.md walks through a whole deployment.

terraform {
  required_version = ">= 1.6"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "6.50.0"
    }
  }

  # Keep the state in a bucket of your own (versioned), e.g.:
  # backend "gcs" {
  #   bucket = "my-project-terraform-state"
  #   prefix = "arbiter/prod"
  # }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

module "arbiter" {
  source = "../../modules/arbiter"

  project_id           = var.project_id
  region               = var.region
  environment          = var.environment
  image_tag            = var.image_tag
  evidence_bucket_name = var.evidence_bucket_name
  reviewer_domain      = var.reviewer_domain
  reviewer_members     = var.reviewer_members
  external_publishers  = var.external_publishers
  external_subscribers = var.external_subscribers
  evidence_writers     = var.evidence_writers
  audit_readers        = var.audit_readers
}

output "reviewer_url" {
  value = module.arbiter.reviewer_url
}

output "reviewer_ip" {
  value = module.arbiter.reviewer_ip
}

output "service_urls" {
  value = module.arbiter.service_urls
}

output "image_base" {
  value = module.arbiter.image_base
}
