terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.81"
    }
  }

  # State: local by default so that nothing here needs a network to read. For a shared state, use
  # an S3 backend, e.g. (then run `terraform init -migrate-state`):
  #
  # backend "s3" {
  #   bucket       = "example-terraform-state"
  #   key          = "s3-direct-sync/dev/terraform.tfstate"
  #   region       = "ap-northeast-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}
