# staging: the seed's staging preset (monitoring), the spot market, sync mode to exercise deletions
# before prod. The job sizes its concurrency on the task (the seed's 8 workers are gone).
environment = "staging"

source_prefixes = ["spot/"]

destination_bucket                 = "staging-crypto-lakehouse-bronze"
destination_versioning             = true
destination_standard_ia_after_days = null
destination_glacier_after_days     = 90

sync_mode = "sync"
# max_concurrent, batch_size, part_size_mb, retry_count, log_level: unset, the job sizes itself on
# the task (plan --explain shows how); set one here only as a real override.

enable_monitoring            = true # seed: enable_monitoring
enable_cost_tracking         = false
enable_performance_analytics = false

task_size                    = { cpu = 1024, memory = 2048 }
container_insights           = "enabled"
use_fargate_spot             = true
log_retention_days           = 90
restrict_destination_to_vpce = false
