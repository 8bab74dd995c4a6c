# One root for every environment: the values that differ live in <env>.tfvars, the state of each
# in the S3 key of <env>.s3.tfbackend (see README.md). What is written here is the same everywhere.
module "s3_direct_sync" {
  source = "../modules/s3-direct-sync"

  environment = var.environment

  source_bucket   = "data.binance.vision"
  source_region   = "ap-northeast-1"
  source_root     = "data/"
  source_prefixes = var.source_prefixes

  destination_bucket                 = var.destination_bucket
  destination_prefix                 = "binance/archive/"
  manage_destination_bucket          = true
  destination_versioning             = var.destination_versioning
  destination_standard_ia_after_days = var.destination_standard_ia_after_days
  destination_glacier_after_days     = var.destination_glacier_after_days

  sync_mode      = var.sync_mode
  max_concurrent = var.max_concurrent
  batch_size     = var.batch_size
  part_size_mb   = var.part_size_mb
  retry_count    = var.retry_count
  log_level      = var.log_level

  enable_monitoring            = var.enable_monitoring
  enable_cost_tracking         = var.enable_cost_tracking
  enable_performance_analytics = var.enable_performance_analytics
  alarm_email                  = var.alarm_email

  task_size          = var.task_size
  container_insights = var.container_insights
  use_fargate_spot   = var.use_fargate_spot
  log_retention_days = var.log_retention_days
  image_tag          = var.image_tag

  vpc_id                     = var.vpc_id
  subnet_ids                 = var.subnet_ids
  route_table_ids            = var.route_table_ids
  create_s3_gateway_endpoint = length(var.route_table_ids) > 0
  # Only through the gateway endpoint, and only when there is one to go through.
  restrict_destination_to_vpce = var.restrict_destination_to_vpce && length(var.route_table_ids) > 0

  destination_credentials_secret_arn = var.destination_credentials_secret_arn
  config_secret_arn                  = var.config_secret_arn
}
