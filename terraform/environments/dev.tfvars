# dev: the seed's development preset (max_concurrent 4, batch 50, part 25 MB, retry 3, detailed
# logging), a small slice of the archive, Fargate Spot, alarms that do not notify.
environment = "dev"

source_prefixes = ["spot/daily/klines/BTCUSDT/"]

destination_bucket                 = "dev-crypto-lakehouse-bronze"
destination_versioning             = false
destination_standard_ia_after_days = null
destination_glacier_after_days     = 90

sync_mode      = "copy"
max_concurrent = 4
batch_size     = 50
part_size_mb   = 25
retry_count    = 3
log_level      = "debug" # seed: enable_detailed_logging

enable_monitoring            = false
enable_cost_tracking         = false
enable_performance_analytics = false

task_size                    = { cpu = 512, memory = 1024 }
container_insights           = "enabled"
use_fargate_spot             = true
log_retention_days           = 30
restrict_destination_to_vpce = false
