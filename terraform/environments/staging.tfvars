# staging: the seed's staging preset (max_concurrent 8, batch 100, part 50 MB, retry 5, monitoring),
# the spot market, sync mode to exercise deletions before prod.
environment = "staging"

source_prefixes = ["spot/"]

destination_bucket                 = "staging-crypto-lakehouse-bronze"
destination_versioning             = true
destination_standard_ia_after_days = null
destination_glacier_after_days     = 90

sync_mode      = "sync"
max_concurrent = 8
batch_size     = 100
part_size_mb   = 50
retry_count    = 5
log_level      = "info"

enable_monitoring            = true # seed: enable_monitoring
enable_cost_tracking         = false
enable_performance_analytics = false

task_size                    = { cpu = 1024, memory = 2048 }
container_insights           = "enabled"
use_fargate_spot             = true
log_retention_days           = 90
restrict_destination_to_vpce = false
