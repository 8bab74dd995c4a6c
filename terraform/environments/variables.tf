variable "aws_region" {
  description = "Region of the job, its cluster and the destination bucket. The source archive is in ap-northeast-1: running there avoids cross-region transfer charges."
  type        = string
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be an AWS region name such as ap-northeast-1."
  }
}

variable "default_tags" {
  description = "Tags the provider adds to every resource."
  type        = map(string)
  default     = {}
}

variable "vpc_id" {
  description = "VPC the task runs in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Private subnets of the task."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must hold at least one subnet id (subnet-...)."
  }
}

variable "route_table_ids" {
  description = "Route tables of subnet_ids; when set, an S3 gateway endpoint is created on them."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.route_table_ids : can(regex("^rtb-[0-9a-f]{8,17}$", r))])
    error_message = "route_table_ids must be route table ids (rtb-...)."
  }
}

variable "image_tag" {
  description = "Image tag to run from the environment's ECR repository (immutable: one tag per release)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "alarm_email" {
  description = "Optional e-mail address for alarm notifications."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "destination_credentials_secret_arn" {
  description = "Optional Secrets Manager secret with destination credentials (read by the job; passed as S3DS_DESTINATION_CREDENTIALS_SECRET)."
  type        = string
  default     = null
}

variable "config_secret_arn" {
  description = "Optional Secrets Manager secret with a JSON config layer (read by the job; passed as S3DS_CONFIG_SECRET)."
  type        = string
  default     = null
}
