# ---------------------------------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------------------------------
variable "environment" {
  description = "Deployment environment; also the job's preset (S3DS_ENV) and the alarms' Environment dimension."
  type        = string

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be one of dev, staging, prod."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name; the full base name is \"<name_prefix>-<environment>\"."
  type        = string
  default     = "s3-direct-sync"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 3-32 characters of lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "tags" {
  description = "Tags added to every resource that supports tags."
  type        = map(string)
  default     = {}
}

# ---------------------------------------------------------------------------------------------------
# Source and destination
# ---------------------------------------------------------------------------------------------------
variable "source_bucket" {
  description = "Source bucket (the public Binance archive by default)."
  type        = string
  default     = "data.binance.vision"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.source_bucket))
    error_message = "source_bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "source_region" {
  description = "Region of the source bucket (S3DS_SOURCE_REGION)."
  type        = string
  default     = "ap-northeast-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.source_region))
    error_message = "source_region must be an AWS region name such as ap-northeast-1."
  }
}

variable "source_root" {
  description = "Key prefix of the source URL: S3DS_SOURCE is s3://<source_bucket>/<source_root>. Must end with '/'."
  type        = string
  default     = "data/"

  validation {
    condition     = can(regex("^([A-Za-z0-9!_.()'-]+/)+$", var.source_root))
    error_message = "source_root must be a non-empty key prefix without wildcards, not starting with '/', ending with '/' (e.g. \"data/\")."
  }
}

variable "source_prefixes" {
  description = "Prefixes to mirror, relative to source_root (S3DS_PREFIX, comma-separated), e.g. [\"spot/\", \"futures/um/\"]. Empty = all of source_root. IAM read access is granted on exactly these prefixes."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.source_prefixes) <= 20 && alltrue([for p in var.source_prefixes : can(regex("^([A-Za-z0-9!_.()'=-]+/)+$", p))])
    error_message = "source_prefixes: at most 20 prefixes, each without wildcards or commas, not starting with '/', ending with '/'."
  }

  validation {
    condition     = length(distinct(var.source_prefixes)) == length(var.source_prefixes)
    error_message = "source_prefixes must not contain duplicates."
  }
}

variable "destination_bucket" {
  description = "Destination (bronze data-lake) bucket name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.destination_bucket)) && !can(regex("\\.\\.", var.destination_bucket))
    error_message = "destination_bucket must be a valid S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)."
  }
}

variable "destination_prefix" {
  description = "Key prefix inside the destination bucket; all write access is limited to it. Must end with '/'."
  type        = string
  default     = "binance/archive/"

  validation {
    condition     = can(regex("^([A-Za-z0-9!_.()'=-]+/)+$", var.destination_prefix))
    error_message = "destination_prefix must be a non-empty key prefix without wildcards, not starting with '/', ending with '/' (e.g. \"binance/archive/\")."
  }
}

variable "destination_region" {
  description = "Region of the destination bucket; null = the provider's region. Used for the KMS kms:ViaService condition."
  type        = string
  default     = null

  validation {
    condition     = var.destination_region == null || can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.destination_region))
    error_message = "destination_region must be null or an AWS region name."
  }
}

variable "destination_encryption" {
  description = "Default encryption of the destination: \"aws:kms\" (SSE-KMS, the task role gets kms:GenerateDataKey/Decrypt on the one key) or \"AES256\" (SSE-S3)."
  type        = string
  default     = "aws:kms"

  validation {
    condition     = contains(["aws:kms", "AES256"], var.destination_encryption)
    error_message = "destination_encryption must be \"aws:kms\" or \"AES256\"."
  }
}

variable "destination_kms_key_arn" {
  description = "KMS key ARN of the destination bucket's SSE-KMS. Required with aws:kms when the bucket is not managed here; null with manage_destination_bucket = a new key with rotation is created."
  type        = string
  default     = null

  validation {
    condition     = var.destination_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.destination_kms_key_arn))
    error_message = "destination_kms_key_arn must be null or a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID; aliases are not accepted by IAM)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Job settings (the container environment)
# ---------------------------------------------------------------------------------------------------
variable "sync_mode" {
  description = "\"copy\" (never deletes) or \"sync\" (also deletes destination objects gone from the source; only then does the task role get s3:DeleteObject)."
  type        = string
  default     = "copy"

  validation {
    condition     = contains(["copy", "sync"], var.sync_mode)
    error_message = "sync_mode must be \"copy\" or \"sync\"."
  }
}

variable "storage_class" {
  description = "Storage class of copied objects (S3DS_STORAGE_CLASS); null = the environment preset's (STANDARD unless the preset says otherwise)."
  type        = string
  default     = null

  validation {
    condition     = var.storage_class == null || contains(["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR"], coalesce(var.storage_class, "STANDARD"))
    error_message = "storage_class must be null or one of STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR."
  }
}

variable "max_concurrent" {
  description = "Concurrent copies (S3DS_MAX_CONCURRENT); null = the job sizes it from the task's CPU and memory (64 server-side copies per vCPU, at most 256; see plan --explain). Set it only to override."
  type        = number
  default     = null

  validation {
    condition     = var.max_concurrent == null || try(var.max_concurrent >= 1 && var.max_concurrent <= 256 && floor(var.max_concurrent) == var.max_concurrent, false)
    error_message = "max_concurrent must be null or an integer from 1 to 256."
  }
}

variable "batch_size" {
  description = "Objects per batch (S3DS_BATCH_SIZE); null = the job sizes it. Set it only to override."
  type        = number
  default     = null

  validation {
    condition     = var.batch_size == null || try(var.batch_size >= 1 && var.batch_size <= 10000 && floor(var.batch_size) == var.batch_size, false)
    error_message = "batch_size must be null or an integer from 1 to 10000."
  }
}

variable "part_size_mb" {
  description = "Multipart part size in MB (S3DS_PART_SIZE_MB); S3 allows 5 MB to 5 GB parts. null = the job sizes it. Set it only to override."
  type        = number
  default     = null

  validation {
    condition     = var.part_size_mb == null || try(var.part_size_mb >= 5 && var.part_size_mb <= 5120 && floor(var.part_size_mb) == var.part_size_mb, false)
    error_message = "part_size_mb must be null or an integer from 5 to 5120."
  }
}

variable "retry_count" {
  description = "Retries per object (S3DS_RETRY_COUNT); null = the job sizes it. Set it only to override."
  type        = number
  default     = null

  validation {
    condition     = var.retry_count == null || try(var.retry_count >= 0 && var.retry_count <= 20 && floor(var.retry_count) == var.retry_count, false)
    error_message = "retry_count must be null or an integer from 0 to 20."
  }
}

variable "shutdown_deadline_seconds" {
  description = "Seconds the job has after SIGTERM to stop cleanly (S3DS_SHUTDOWN_DEADLINE_SECONDS). The container's stopTimeout is this + 5 s; ECS allows at most 120 s on Fargate (and Fargate Spot warns 120 s ahead)."
  type        = number
  default     = 90

  validation {
    condition     = var.shutdown_deadline_seconds >= 5 && var.shutdown_deadline_seconds <= 115 && floor(var.shutdown_deadline_seconds) == var.shutdown_deadline_seconds
    error_message = "shutdown_deadline_seconds must be an integer from 5 to 115 (stopTimeout = deadline + 5 must stay <= 120)."
  }
}

variable "metrics_backend" {
  description = "How the job publishes metrics (S3DS_METRICS): \"emf\" (CloudWatch Embedded Metric Format log lines; no API calls, no IAM), \"cloudwatch\" (PutMetricData; the task role then gets cloudwatch:PutMetricData limited to the S3DirectSync namespace) or \"none\"."
  type        = string
  default     = "emf"

  validation {
    condition     = contains(["emf", "cloudwatch", "none"], var.metrics_backend)
    error_message = "metrics_backend must be \"emf\", \"cloudwatch\" or \"none\"."
  }
}

variable "metrics_mode_dimension" {
  description = "Value of the Mode dimension the alarms watch; it must equal the Mode the job reports. null = sync_mode."
  type        = string
  default     = null

  validation {
    condition     = var.metrics_mode_dimension == null || can(regex("^[A-Za-z0-9_-]{1,64}$", var.metrics_mode_dimension))
    error_message = "metrics_mode_dimension must be null or 1-64 letters, digits, '_' or '-'."
  }
}

variable "log_level" {
  description = "Job log level (S3DS_LOG_LEVEL); null = the job's (info). Detailed per-object logging is the environment preset's (dev)."
  type        = string
  default     = null

  validation {
    condition     = var.log_level == null || contains(["debug", "info", "warn", "error"], coalesce(var.log_level, "info"))
    error_message = "log_level must be null or one of debug, info, warn, error."
  }
}

variable "copy_object_tags" {
  description = "Copy object tags along with objects. CopyObject needs s3:GetObjectTagging on the source and s3:PutObjectTagging on the destination only when tags are copied; the Binance archive has none, so the default grants neither."
  type        = bool
  default     = false
}

variable "extra_environment" {
  description = "Further plain environment variables for the container (names S3DS_* or AWS_*), e.g. { S3DS_ENGINE = \"auto\" }. They cannot override the ones this module sets."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_environment) : can(regex("^(S3DS|AWS)_[A-Z0-9_]+$", k))])
    error_message = "extra_environment names must match ^(S3DS|AWS)_[A-Z0-9_]+$."
  }

  validation {
    condition     = length(setintersection(keys(var.extra_environment), ["S3DS_DATE_FROM", "S3DS_DATE_TO"])) == 0
    error_message = "extra_environment must not set S3DS_DATE_FROM or S3DS_DATE_TO: the schedules choose the date window (one here would narrow the weekly full reconciliation too)."
  }
}

variable "destination_credentials_secret_arn" {
  description = "Optional Secrets Manager secret with destination credentials. Its ARN is passed as plain env S3DS_DESTINATION_CREDENTIALS_SECRET; the job reads it with the task role (secretsmanager:GetSecretValue on this secret only)."
  type        = string
  default     = null

  validation {
    condition     = var.destination_credentials_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.destination_credentials_secret_arn))
    error_message = "destination_credentials_secret_arn must be null or a Secrets Manager secret ARN."
  }
}

variable "config_secret_arn" {
  description = "Optional Secrets Manager secret holding a JSON config layer. Its ARN is passed as plain env S3DS_CONFIG_SECRET; the job reads it with the task role."
  type        = string
  default     = null

  validation {
    condition     = var.config_secret_arn == null || can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", var.config_secret_arn))
    error_message = "config_secret_arn must be null or a Secrets Manager secret ARN."
  }
}

variable "injected_secrets" {
  description = "Environment variables injected by ECS from Secrets Manager at start: map of env name => secret ARN. Only the execution role reads them."
  type        = map(string)
  default     = {}

  validation {
    condition = alltrue([for k, v in var.injected_secrets :
      can(regex("^(S3DS|AWS)_[A-Z0-9_]+$", k)) &&
      can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[A-Za-z0-9/_+=.@-]+$", v))
    ])
    error_message = "injected_secrets: names must match ^(S3DS|AWS)_[A-Z0-9_]+$ and values must be Secrets Manager secret ARNs."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer managed KMS keys that encrypt the secrets above (kms:Decrypt is granted through Secrets Manager only). Empty when the secrets use the AWS managed key."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for k in var.secrets_kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", k))])
    error_message = "secrets_kms_key_arns must be KMS key ARNs."
  }
}

# ---------------------------------------------------------------------------------------------------
# Container and compute
# ---------------------------------------------------------------------------------------------------
variable "create_ecr_repository" {
  description = "Create the ECR repository the image is pulled from. When false, container_image is required."
  type        = bool
  default     = true
}

variable "container_image" {
  description = "Full image reference; null = this module's ECR repository:image_tag."
  type        = string
  default     = null

  validation {
    condition     = var.container_image == null || can(regex("^[a-z0-9][a-z0-9._/:@-]+$", var.container_image))
    error_message = "container_image must be null or an image reference such as 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/repo:tag."
  }
}

variable "image_tag" {
  description = "Image tag used with the module's ECR repository (tags are immutable: deploy a new tag per release)."
  type        = string
  default     = "latest"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "image_tag must be a valid Docker tag."
  }
}

variable "ecr_keep_images" {
  description = "Tagged images the ECR lifecycle policy keeps (older ones expire; untagged ones expire after 7 days)."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 1 && var.ecr_keep_images <= 1000
    error_message = "ecr_keep_images must be from 1 to 1000."
  }
}

variable "container_user" {
  description = "uid:gid the container runs as; never root. The default is the image's own user (docker/Dockerfile: USER 10001:10001)."
  type        = string
  default     = "10001:10001"

  validation {
    condition     = can(regex("^[1-9][0-9]*(:[0-9]+)?$", var.container_user))
    error_message = "container_user must be a numeric non-zero uid, optionally with :gid (e.g. \"10001:10001\")."
  }
}

variable "init_process_enabled" {
  description = "Run an init process (docker-init) as PID 1 of the container. The project's image already starts under tini, so the default is false; enable it for an image without an init."
  type        = bool
  default     = false
}

variable "task_size" {
  description = "Fargate task cpu units and memory MiB; must be a valid Fargate combination."
  type = object({
    cpu    = number
    memory = number
  })

  validation {
    condition = (
      (var.task_size.cpu == 256 && contains([512, 1024, 2048], var.task_size.memory)) ||
      (var.task_size.cpu == 512 && var.task_size.memory >= 1024 && var.task_size.memory <= 4096 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 1024 && var.task_size.memory >= 2048 && var.task_size.memory <= 8192 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 2048 && var.task_size.memory >= 4096 && var.task_size.memory <= 16384 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 4096 && var.task_size.memory >= 8192 && var.task_size.memory <= 30720 && var.task_size.memory % 1024 == 0) ||
      (var.task_size.cpu == 8192 && var.task_size.memory >= 16384 && var.task_size.memory <= 61440 && var.task_size.memory % 4096 == 0) ||
      (var.task_size.cpu == 16384 && var.task_size.memory >= 32768 && var.task_size.memory <= 122880 && var.task_size.memory % 8192 == 0)
    )
    error_message = "task_size must be a valid Fargate cpu/memory combination (e.g. 512/1024, 1024/2048, 2048/4096)."
  }
}

variable "ephemeral_storage_gib" {
  description = "Fargate ephemeral storage (GiB) backing the writable /tmp volume (batch files, spill-to-disk sorting)."
  type        = number
  default     = 21

  validation {
    condition     = var.ephemeral_storage_gib >= 21 && var.ephemeral_storage_gib <= 200
    error_message = "ephemeral_storage_gib must be from 21 to 200."
  }
}

variable "cpu_architecture" {
  description = "Task CPU architecture (the image must be built for it)."
  type        = string
  default     = "X86_64"

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "existing_cluster_arn" {
  description = "Run in this existing ECS cluster instead of creating one (it must have the FARGATE / FARGATE_SPOT capacity providers)."
  type        = string
  default     = null

  validation {
    condition     = var.existing_cluster_arn == null || can(regex("^arn:aws[a-z-]*:ecs:[a-z0-9-]+:[0-9]{12}:cluster/[A-Za-z0-9_-]+$", var.existing_cluster_arn))
    error_message = "existing_cluster_arn must be null or an ECS cluster ARN."
  }
}

variable "container_insights" {
  description = "Container Insights level of a created cluster: \"enabled\" or \"enhanced\"."
  type        = string
  default     = "enabled"

  validation {
    condition     = contains(["enabled", "enhanced"], var.container_insights)
    error_message = "container_insights must be \"enabled\" or \"enhanced\"."
  }
}

variable "use_fargate_spot" {
  description = "Run the scheduled task on Fargate Spot (cheaper; an interruption stops the job cleanly within the shutdown deadline and the next run resumes)."
  type        = bool
  default     = false
}

variable "enable_fanout" {
  description = "Let the job launch and watch extra copies of this task (ecs:RunTask on this task definition family in this cluster, ecs:DescribeTasks on its tasks, iam:PassRole on the two roles)."
  type        = bool
  default     = false
}

# ---------------------------------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------------------------------
variable "vpc_id" {
  description = "VPC of the task's security group (and of the optional S3 gateway endpoint)."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]{8,17}$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123456789abcdef0."
  }
}

variable "subnet_ids" {
  description = "Subnets the task runs in (private subnets with a NAT or VPC endpoints, or public ones with assign_public_ip)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) >= 1 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", s))])
    error_message = "subnet_ids must hold at least one subnet id (subnet-...)."
  }
}

variable "assign_public_ip" {
  description = "Give the task a public IP (only for public subnets without NAT)."
  type        = bool
  default     = false
}

variable "egress_cidr_blocks" {
  description = "Where the task may connect on TCP 443 (the only egress allowed). S3, ECR, CloudWatch and Secrets Manager are public HTTPS endpoints unless reached through VPC endpoints."
  type        = list(string)
  default     = ["0.0.0.0/0"]

  validation {
    condition     = length(var.egress_cidr_blocks) >= 1 && alltrue([for c in var.egress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "egress_cidr_blocks must be a non-empty list of CIDR blocks."
  }
}

variable "create_s3_gateway_endpoint" {
  description = "Create an S3 gateway VPC endpoint on route_table_ids so S3 traffic (same-region destination) skips the NAT gateway and its per-GB charge."
  type        = bool
  default     = false
}

variable "route_table_ids" {
  description = "Route tables of the task's subnets, for the S3 gateway endpoint."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for r in var.route_table_ids : can(regex("^rtb-[0-9a-f]{8,17}$", r))])
    error_message = "route_table_ids must be route table ids (rtb-...)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Schedule
# ---------------------------------------------------------------------------------------------------
variable "daily_schedule_enabled" {
  description = "Whether the daily incremental schedule is ENABLED (true) or DISABLED."
  type        = bool
  default     = true
}

variable "daily_schedule_expression" {
  description = "When the daily incremental run starts. The archive publishes the previous day's files after 00:00 UTC; the default runs at 01:30 UTC."
  type        = string
  default     = "cron(30 1 * * ? *)"

  validation {
    condition     = can(regex("^(cron\\([^)]+\\)|rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\))$", var.daily_schedule_expression))
    error_message = "daily_schedule_expression must be cron(...) or rate(N unit)."
  }
}

variable "daily_window_days" {
  description = "Days the daily run looks back (--date-from=-Nd, N days before the run's UTC date). Daily files appear the next day and are sometimes re-uploaded later; a month's files appear by the 7th of the next month and are selected while the window overlaps that month, so 8 days catch them the day after they appear; the default adds 2 days for a missed or blocked run. A folder's files of even 31 days fit in one list page, so a longer window costs hardly more requests."
  type        = number
  default     = 10

  validation {
    condition     = var.daily_window_days >= 1 && var.daily_window_days <= 31 && floor(var.daily_window_days) == var.daily_window_days
    error_message = "daily_window_days must be a whole number of days from 1 to 31 (older changes are the weekly reconciliation's)."
  }
}

variable "weekly_schedule_enabled" {
  description = "Whether the weekly full reconciliation is ENABLED (true) or DISABLED."
  type        = bool
  default     = true
}

variable "weekly_schedule_expression" {
  description = "When the weekly full reconciliation starts; the default, Sunday 13:30 UTC, is 12 hours from the daily run, so neither usually finds the other holding the lease."
  type        = string
  default     = "cron(30 13 ? * SUN *)"

  validation {
    condition     = can(regex("^(cron\\([^)]+\\)|rate\\([0-9]+ (minute|minutes|hour|hours|day|days)\\))$", var.weekly_schedule_expression))
    error_message = "weekly_schedule_expression must be cron(...) or rate(N unit)."
  }
}

variable "schedule_timezone" {
  description = "Time zone of both schedule expressions."
  type        = string
  default     = "UTC"

  validation {
    condition     = can(regex("^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$", var.schedule_timezone))
    error_message = "schedule_timezone must be an IANA time zone name such as UTC or Asia/Tokyo."
  }
}

variable "schedule_flexible_window_minutes" {
  description = "Flexible time window of both schedules: a run starts within this many minutes after its scheduled time."
  type        = number
  default     = 15

  validation {
    condition     = var.schedule_flexible_window_minutes >= 1 && var.schedule_flexible_window_minutes <= 1440
    error_message = "schedule_flexible_window_minutes must be from 1 to 1440."
  }
}

variable "schedule_retry_attempts" {
  description = "Retries when RunTask fails (e.g. no Fargate capacity) before the event goes to the dead-letter queue."
  type        = number
  default     = 3

  validation {
    condition     = var.schedule_retry_attempts >= 0 && var.schedule_retry_attempts <= 185
    error_message = "schedule_retry_attempts must be from 0 to 185."
  }
}

variable "schedule_max_event_age_seconds" {
  description = "How long the scheduler keeps retrying one invocation."
  type        = number
  default     = 3600

  validation {
    condition     = var.schedule_max_event_age_seconds >= 60 && var.schedule_max_event_age_seconds <= 86400
    error_message = "schedule_max_event_age_seconds must be from 60 to 86400."
  }
}

# ---------------------------------------------------------------------------------------------------
# Logs, alarms, notifications
# ---------------------------------------------------------------------------------------------------
variable "log_retention_days" {
  description = "Retention of the job's log group."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, ...)."
  }
}

variable "kms_key_arn" {
  description = "KMS key for the log group, SNS topic and ECR repository; null = create one (with rotation) when create_kms_key is true."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn must be null or a KMS key ARN."
  }
}

variable "create_kms_key" {
  description = "Create a KMS key for logs, SNS and ECR when kms_key_arn is null. With false and no key: logs use CloudWatch's own encryption, SNS the AWS managed key cannot serve alarms so the topic stays unencrypted, ECR uses AES256."
  type        = bool
  default     = true
}

variable "enable_monitoring" {
  description = "Seed's enable_monitoring: alarms notify the SNS topic. With false the alarms still exist (visible in the console) but send nothing."
  type        = bool
  default     = true
}

variable "enable_cost_tracking" {
  description = "Seed's enable_cost_tracking: adds the CostPerGB > 0.05 alarm and the CostCenter tag."
  type        = bool
  default     = false
}

variable "enable_performance_analytics" {
  description = "Seed's enable_performance_analytics: a CloudWatch dashboard of the job's metrics. Terraform only: the job has no such setting."
  type        = bool
  default     = false
}

variable "cost_center" {
  description = "CostCenter tag value used when enable_cost_tracking is true."
  type        = string
  default     = "data-platform"

  validation {
    condition     = length(var.cost_center) >= 1 && length(var.cost_center) <= 128
    error_message = "cost_center must be 1-128 characters."
  }
}

variable "alarm_email" {
  description = "Optional e-mail address subscribed to the alarm topic (the subscription must be confirmed)."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be null or an e-mail address."
  }
}

variable "lease_held_alarm_days" {
  description = "Days in a row on which every run exited 6 (another run held the destination's lease) before the low-severity lease-held notice fires; a single exit 6 is expected while a backfill outlasts the schedule."
  type        = number
  default     = 2

  validation {
    condition     = var.lease_held_alarm_days >= 1 && var.lease_held_alarm_days <= 7 && floor(var.lease_held_alarm_days) == var.lease_held_alarm_days
    error_message = "lease_held_alarm_days must be a whole number of days from 1 to 7 (a CloudWatch alarm evaluates at most 7 days: period x evaluation periods <= 604800 s)."
  }
}

# ---------------------------------------------------------------------------------------------------
# Destination bucket hardening (optional)
# ---------------------------------------------------------------------------------------------------
variable "manage_destination_bucket" {
  description = "Create and harden the destination bucket here (SSE-KMS with bucket key, TLS-only policy, lifecycle, public access block, BucketOwnerEnforced)."
  type        = bool
  default     = false
}

variable "destination_versioning" {
  description = "Enable versioning on a managed destination bucket."
  type        = bool
  default     = false
}

variable "destination_noncurrent_expiration_days" {
  description = "Days after which noncurrent versions expire (versioned managed bucket)."
  type        = number
  default     = 30

  validation {
    condition     = var.destination_noncurrent_expiration_days >= 1
    error_message = "destination_noncurrent_expiration_days must be at least 1."
  }
}

variable "destination_standard_ia_after_days" {
  description = "Transition objects under destination_prefix to STANDARD_IA after this many days (S3 requires >= 30); null = no such transition."
  type        = number
  default     = null

  validation {
    condition     = var.destination_standard_ia_after_days == null || try(var.destination_standard_ia_after_days >= 30, false)
    error_message = "destination_standard_ia_after_days must be null or at least 30."
  }
}

variable "destination_glacier_after_days" {
  description = "Transition objects under destination_prefix to GLACIER (Flexible Retrieval) after this many days; null = never."
  type        = number
  default     = 90

  validation {
    condition     = var.destination_glacier_after_days == null || try(var.destination_glacier_after_days >= 1, false)
    error_message = "destination_glacier_after_days must be null or at least 1."
  }
}

variable "abort_incomplete_multipart_days" {
  description = "Abort incomplete multipart uploads after this many days."
  type        = number
  default     = 7

  validation {
    condition     = var.abort_incomplete_multipart_days >= 1 && var.abort_incomplete_multipart_days <= 365
    error_message = "abort_incomplete_multipart_days must be from 1 to 365."
  }
}

variable "destination_access_log_bucket" {
  description = "Bucket receiving server access logs of a managed destination bucket; null = no access logging."
  type        = string
  default     = null

  validation {
    condition     = var.destination_access_log_bucket == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.destination_access_log_bucket))
    error_message = "destination_access_log_bucket must be null or a bucket name."
  }
}

variable "restrict_destination_to_vpce" {
  description = "Network restriction the seed asks for, done right: the managed bucket's policy denies this job's task role any request that does not come through one of the allowed VPC endpoints (aws:SourceVpce). Source IPs are meaningless for S3 reached through endpoints."
  type        = bool
  default     = false
}

variable "destination_allowed_vpce_ids" {
  description = "VPC endpoint ids allowed by restrict_destination_to_vpce, in addition to the endpoint created here."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for v in var.destination_allowed_vpce_ids : can(regex("^vpce-[0-9a-f]{8,17}$", v))])
    error_message = "destination_allowed_vpce_ids must be VPC endpoint ids (vpce-...)."
  }
}
