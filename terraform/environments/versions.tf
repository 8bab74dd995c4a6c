terraform {
  required_version = ">= 1.10.0" # the S3 backend's use_lockfile

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81"
    }
  }

  # Partial: one root serves every environment, so each init names its state with
  # -backend-config=<env>.s3.tfbackend.
  backend "s3" {}
}
