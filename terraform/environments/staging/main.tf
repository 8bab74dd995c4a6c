# staging: the seed's staging preset (max_concurrent 8, batch 100, part 50 MB, retry 5, monitoring),
# the spot market, sync mode to exercise deletions before prod.
module "s3_direct_sync" {
  source = "../../modules/s3-direct-sync"

  environment = "staging"

  source_bucket   = "data.binance.vision"
  source_region   = "ap-northeast-1"
  source_root     = "data/"
  source_prefixes = ["spot/"]

  destination_bucket        = "staging-crypto-lakehouse-bronze"
  destination_prefix        = "binance/archive/"
  manage_destination_bucket = true
  destination_versioning    = true

  sync_mode      = "sync"
  storage_class  = "STANDARD"
  max_concurrent = 8
  batch_size     = 100
  part_size_mb   = 50
  retry_count    = 5
  log_level      = "info"

  enable_monitoring            = true # seed: enable_monitoring
  enable_cost_tracking         = false
  enable_performance_analytics = false
  alarm_email                  = var.alarm_email

  task_size          = { cpu = 1024, memory = 2048 }
  use_fargate_spot   = true
  log_retention_days = 90
  image_tag          = var.image_tag

  vpc_id                     = var.vpc_id
  subnet_ids                 = var.subnet_ids
  route_table_ids            = var.route_table_ids
  create_s3_gateway_endpoint = length(var.route_table_ids) > 0

  destination_credentials_secret_arn = var.destination_credentials_secret_arn
  config_secret_arn                  = var.config_secret_arn
}
