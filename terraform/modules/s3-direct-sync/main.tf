# s3-direct-sync: a scheduled Fargate task that mirrors an S3 archive (Binance's data.binance.vision by
# default) into a data-lake bucket with server-side copies. Resources are split by concern:
#   kms.tf        keys for logs/SNS/ECR and (optionally) the destination bucket
#   ecr.tf        image repository
#   ecs.tf        cluster, log group, task definition
#   iam.tf        task, execution and scheduler roles (least privilege)
#   network.tf    security group (egress 443 only), S3 gateway endpoint
#   scheduler.tf  EventBridge Scheduler schedules (daily incremental, weekly full), their group, dead-letter queue
#   monitoring.tf SNS topic, alarms on the S3DirectSync metrics, dashboard
#   bucket.tf     optional destination bucket hardening

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

data "aws_region" "current" {}

locals {
  name       = "${var.name_prefix}-${var.environment}"
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  tags = merge(
    var.tags,
    {
      Application = "s3-direct-sync"
      Environment = var.environment
      ManagedBy   = "terraform"
    },
    var.enable_cost_tracking ? { CostCenter = var.cost_center } : {},
  )

  # --- source -------------------------------------------------------------------------------------
  # Absolute key prefixes the job may read: source_root + each configured prefix (or source_root).
  source_key_prefixes = length(var.source_prefixes) == 0 ? [var.source_root] : [for p in var.source_prefixes : "${var.source_root}${p}"]
  source_bucket_arn   = "arn:${local.partition}:s3:::${var.source_bucket}"

  # --- destination --------------------------------------------------------------------------------
  destination_bucket_arn = "arn:${local.partition}:s3:::${var.destination_bucket}"
  destination_region     = coalesce(var.destination_region, local.region)
  destination_kms        = var.destination_encryption == "aws:kms"
  create_destination_key = var.manage_destination_bucket && local.destination_kms && var.destination_kms_key_arn == null
  destination_kms_key_arn = (
    var.destination_kms_key_arn != null ? var.destination_kms_key_arn :
    local.create_destination_key ? aws_kms_key.destination[0].arn : null
  )

  # --- operations key (logs, SNS, ECR) ------------------------------------------------------------
  create_ops_key  = var.kms_key_arn == null && var.create_kms_key
  ops_kms_key_arn = var.kms_key_arn != null ? var.kms_key_arn : (local.create_ops_key ? aws_kms_key.ops[0].arn : null)

  # --- ECS ----------------------------------------------------------------------------------------
  create_cluster = var.existing_cluster_arn == null
  cluster_name   = local.create_cluster ? local.name : element(split("/", var.existing_cluster_arn), 1)
  cluster_arn    = local.create_cluster ? aws_ecs_cluster.this[0].arn : var.existing_cluster_arn

  task_family = local.name
  # Every revision of this one family (RunTask needs a revision or the ":*" form in IAM).
  task_definition_family_arn = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task-definition/${local.task_family}:*"
  cluster_tasks_arn          = "arn:${local.partition}:ecs:${local.region}:${local.account_id}:task/${local.cluster_name}/*"

  container_name = "s3-direct-sync"
  container_image = (
    var.container_image != null ? var.container_image :
    var.create_ecr_repository ? "${aws_ecr_repository.this[0].repository_url}:${var.image_tag}" : null
  )
  stop_timeout = min(var.shutdown_deadline_seconds + 5, 120)

  log_group_name = "/s3-direct-sync/${var.environment}"
  log_group_arn  = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}"

  # Secrets the job reads itself at run time (task role) and those ECS injects (execution role).
  runtime_secret_arns  = compact([var.destination_credentials_secret_arn, var.config_secret_arn])
  injected_secret_arns = distinct(values(var.injected_secrets))

  metrics_namespace      = "S3DirectSync"
  metrics_mode_dimension = coalesce(var.metrics_mode_dimension, var.sync_mode)

  # The job reads S3DS_ + upper snake case of each CLI flag. The task carries S3DS_ENV (the
  # environment's policy preset), the locations, and the values another resource here depends on
  # (sync_mode: s3:DeleteObject; shutdown_deadline_seconds: stopTimeout; metrics_backend:
  # cloudwatch:PutMetricData; monitoring and cost tracking: the alarms; KMS: the ETag kind).
  # Everything else is the job's own decision: the tuning numbers come from its sizing on the task's
  # CPU and memory, and an entry for them exists only when the variable is set (a real override).
  job_overrides = {
    S3DS_MAX_CONCURRENT = var.max_concurrent
    S3DS_BATCH_SIZE     = var.batch_size
    S3DS_PART_SIZE_MB   = var.part_size_mb
    S3DS_RETRY_COUNT    = var.retry_count
    S3DS_STORAGE_CLASS  = var.storage_class
    S3DS_LOG_LEVEL      = var.log_level
  }

  container_environment = merge(
    var.extra_environment,
    {
      S3DS_ENV                       = var.environment
      S3DS_SOURCE                    = "s3://${var.source_bucket}/${var.source_root}"
      S3DS_SOURCE_REGION             = var.source_region
      S3DS_DESTINATION               = "s3://${var.destination_bucket}/${var.destination_prefix}"
      S3DS_SYNC_MODE                 = var.sync_mode
      S3DS_SHUTDOWN_DEADLINE_SECONDS = tostring(var.shutdown_deadline_seconds)
      S3DS_METRICS                   = var.metrics_backend
      S3DS_MONITORING                = tostring(var.enable_monitoring)
      S3DS_COST_TRACKING             = tostring(var.enable_cost_tracking)
      S3DS_DESTINATION_ETAGS         = local.destination_kms ? "opaque" : "md5"
    },
    { for name, value in local.job_overrides : name => tostring(value) if value != null },
    length(var.source_prefixes) > 0 ? { S3DS_PREFIX = join(",", var.source_prefixes) } : {},
    var.destination_credentials_secret_arn != null ? { S3DS_DESTINATION_CREDENTIALS_SECRET = var.destination_credentials_secret_arn } : {},
    var.config_secret_arn != null ? { S3DS_CONFIG_SECRET = var.config_secret_arn } : {},
  )
}
