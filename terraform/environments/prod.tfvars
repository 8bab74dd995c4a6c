# prod: the seed's production preset (monitoring, cost tracking, performance analytics), the whole
# spot/futures/option archive, on-demand Fargate, copy mode (the lake never loses data), versioned
# bucket with tiering. The job sizes its concurrency on the task (the seed's 16 workers are gone).
environment = "prod"

source_prefixes = ["spot/", "futures/", "option/"]

destination_bucket                 = "prod-crypto-lakehouse-bronze"
destination_versioning             = true
destination_standard_ia_after_days = 30
destination_glacier_after_days     = 90

sync_mode = "copy"
# max_concurrent, batch_size, part_size_mb, retry_count, log_level: unset, the job sizes itself on
# the task (plan --explain shows how); set one here only as a real override.

enable_monitoring            = true # seed: enable_monitoring
enable_cost_tracking         = true # seed: enable_cost_tracking
enable_performance_analytics = true # seed: enable_performance_analytics

task_size                    = { cpu = 2048, memory = 4096 }
container_insights           = "enhanced"
use_fargate_spot             = false
log_retention_days           = 400
restrict_destination_to_vpce = true # with route_table_ids: the job reaches the bucket only through the S3 gateway endpoint
