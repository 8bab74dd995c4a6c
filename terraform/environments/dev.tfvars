# dev: the seed's development preset (detailed logging, no alarms notifying), a small slice of the
# archive, Fargate Spot. The job sizes its concurrency on the task (the seed's 4 workers are gone).
environment = "dev"

source_prefixes = ["spot/daily/klines/BTCUSDT/"]

destination_bucket                 = "dev-crypto-lakehouse-bronze"
destination_versioning             = false
destination_standard_ia_after_days = null
destination_glacier_after_days     = 90

sync_mode = "copy"
# max_concurrent, batch_size, part_size_mb, retry_count, log_level: unset, the job sizes itself on
# the task (plan --explain shows how); set one here only as a real override.

enable_monitoring            = false
enable_cost_tracking         = false
enable_performance_analytics = false

task_size                    = { cpu = 512, memory = 1024 }
container_insights           = "enabled"
use_fargate_spot             = true
log_retention_days           = 30
restrict_destination_to_vpce = false
