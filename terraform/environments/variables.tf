# Set per environment in <env>.tfvars (no defaults, so a tfvars file cannot silently leave one out),
# except the job's tuning overrides (null: the job sizes itself). Each is passed to the module's
# variable of the same name, which describes and validates it.

variable "environment" {
  description = "Environment name, also the job's preset (S3DS_ENV): dev, staging or prod."
  type        = string
}

variable "source_prefixes" {
  description = "Prefixes of the archive to mirror, relative to data/."
  type        = list(string)
}

variable "destination_bucket" {
  description = "Destination bucket (created and hardened by the module)."
  type        = string
}

variable "destination_versioning" {
  description = "Versioning on the destination bucket."
  type        = bool
}

variable "destination_standard_ia_after_days" {
  description = "Days before STANDARD_IA under the destination prefix; null = never."
  type        = number
}

variable "destination_glacier_after_days" {
  description = "Days before GLACIER under the destination prefix; null = never."
  type        = number
}

variable "sync_mode" {
  description = "\"copy\" (never deletes) or \"sync\" (also deletes what the source no longer has)."
  type        = string
}

variable "max_concurrent" {
  description = "Override of the job's max_concurrent (S3DS_MAX_CONCURRENT); null = the job sizes it from the task."
  type        = number
  default     = null
}

variable "batch_size" {
  description = "Override of the job's batch_size (S3DS_BATCH_SIZE); null = the job sizes it."
  type        = number
  default     = null
}

variable "part_size_mb" {
  description = "Override of the job's part_size_mb (S3DS_PART_SIZE_MB); null = the job sizes it."
  type        = number
  default     = null
}

variable "retry_count" {
  description = "Override of the job's retry_count (S3DS_RETRY_COUNT); null = the job sizes it."
  type        = number
  default     = null
}

variable "log_level" {
  description = "Override of the job's log level (S3DS_LOG_LEVEL); null = info (dev's preset logs every object)."
  type        = string
  default     = null
}

variable "enable_monitoring" {
  description = "Seed flag enable_monitoring: alarms notify the SNS topic."
  type        = bool
}

variable "enable_cost_tracking" {
  description = "Seed flag enable_cost_tracking: CostPerGB alarm and CostCenter tag."
  type        = bool
}

variable "enable_performance_analytics" {
  description = "Seed flag enable_performance_analytics: a CloudWatch dashboard."
  type        = bool
}

variable "task_size" {
  description = "Fargate task cpu units and memory MiB."
  type = object({
    cpu    = number
    memory = number
  })
}

variable "container_insights" {
  description = "Container Insights level of the cluster: \"enabled\" or \"enhanced\"."
  type        = string
}

variable "use_fargate_spot" {
  description = "Run scheduled tasks on Fargate Spot."
  type        = bool
}

variable "log_retention_days" {
  description = "Retention of the job's CloudWatch Logs group."
  type        = number
}

variable "restrict_destination_to_vpce" {
  description = "With route_table_ids: the job's role may reach the destination only through the S3 gateway endpoint."
  type        = bool
}

# Set per deployment: the network and account this environment runs in (README.md, Usage).

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
