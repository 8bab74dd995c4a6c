# prod: the seed's production preset (max_concurrent 16, batch 200, part 100 MB, retry 5, monitoring,
# cost tracking, performance analytics), the whole spot/futures/option archive, on-demand Fargate,
# copy mode (the lake never loses data), versioned bucket with tiering.
module "s3_direct_sync" {
  source = "../../modules/s3-direct-sync"

  environment = "prod"

  source_bucket   = "data.binance.vision"
  source_region   = "ap-northeast-1"
  source_root     = "data/"
  source_prefixes = ["spot/", "futures/", "option/"]

  destination_bucket                 = "prod-crypto-lakehouse-bronze"
  destination_prefix                 = "binance/archive/"
  manage_destination_bucket          = true
  destination_versioning             = true
  destination_standard_ia_after_days = 30
  destination_glacier_after_days     = 90

  sync_mode      = "copy"
  storage_class  = "STANDARD"
  max_concurrent = 16
  batch_size     = 200
  part_size_mb   = 100
  retry_count    = 5
  log_level      = "info"

  enable_monitoring            = true # seed: enable_monitoring
  enable_cost_tracking         = true # seed: enable_cost_tracking
  enable_performance_analytics = true # seed: enable_performance_analytics
  alarm_email                  = var.alarm_email

  task_size          = { cpu = 2048, memory = 4096 }
  container_insights = "enhanced"
  use_fargate_spot   = false
  log_retention_days = 400
  image_tag          = var.image_tag

  vpc_id                       = var.vpc_id
  subnet_ids                   = var.subnet_ids
  route_table_ids              = var.route_table_ids
  create_s3_gateway_endpoint   = length(var.route_table_ids) > 0
  restrict_destination_to_vpce = length(var.route_table_ids) > 0

  destination_credentials_secret_arn = var.destination_credentials_secret_arn
  config_secret_arn                  = var.config_secret_arn
}
