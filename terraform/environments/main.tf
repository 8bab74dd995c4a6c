# dev: the seed's development preset (max_concurrent 4, batch 50, part 25 MB, retry 3, detailed
# logging), a small slice of the archive, Fargate Spot, alarms that do not notify.
module "s3_direct_sync" {
  source = "../../modules/s3-direct-sync"

  environment = "dev"

  source_bucket   = "data.binance.vision"
  source_region   = "ap-northeast-1"
  source_root     = "data/"
  source_prefixes = ["spot/daily/klines/BTCUSDT/"]

  destination_bucket        = "dev-crypto-lakehouse-bronze"
  destination_prefix        = "binance/archive/"
  manage_destination_bucket = true
  destination_versioning    = false

  sync_mode      = "copy"
  storage_class  = "STANDARD"
  max_concurrent = 4
  batch_size     = 50
  part_size_mb   = 25
  retry_count    = 3
  log_level      = "debug" # seed: enable_detailed_logging

  enable_monitoring            = false
  enable_cost_tracking         = false
  enable_performance_analytics = false
  alarm_email                  = var.alarm_email

  task_size          = { cpu = 512, memory = 1024 }
  use_fargate_spot   = true
  log_retention_days = 30
  image_tag          = var.image_tag

  vpc_id                     = var.vpc_id
  subnet_ids                 = var.subnet_ids
  route_table_ids            = var.route_table_ids
  create_s3_gateway_endpoint = length(var.route_table_ids) > 0

  destination_credentials_secret_arn = var.destination_credentials_secret_arn
  config_secret_arn                  = var.config_secret_arn
}
