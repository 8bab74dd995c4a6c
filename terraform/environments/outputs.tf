output "cluster_arn" {
  description = "ECS cluster the task runs in."
  value       = module.s3_direct_sync.cluster_arn
}

output "task_definition_arn" {
  description = "Current task definition revision."
  value       = module.s3_direct_sync.task_definition_arn
}

output "task_role_arn" {
  description = "Role the job runs with."
  value       = module.s3_direct_sync.task_role_arn
}

output "daily_schedule_arn" {
  description = "Daily incremental schedule."
  value       = module.s3_direct_sync.daily_schedule_arn
}

output "weekly_schedule_arn" {
  description = "Weekly full reconciliation schedule."
  value       = module.s3_direct_sync.weekly_schedule_arn
}

output "schedules" {
  description = "Both schedules: expression, state, and the command override of their runs."
  value       = module.s3_direct_sync.schedules
}

output "schedule_dlq_arn" {
  description = "Dead-letter queue of failed schedule invocations."
  value       = module.s3_direct_sync.schedule_dlq_arn
}

output "ecr_repository_url" {
  description = "Where to push the image."
  value       = module.s3_direct_sync.ecr_repository_url
}

output "log_group_name" {
  description = "CloudWatch Logs group of the job."
  value       = module.s3_direct_sync.log_group_name
}

output "alarm_topic_arn" {
  description = "SNS topic of the alarms."
  value       = module.s3_direct_sync.alarm_topic_arn
}

output "alarm_names" {
  description = "CloudWatch alarms on the job's metrics."
  value       = module.s3_direct_sync.alarm_names
}

output "container_environment" {
  description = "The job's S3DS_* environment."
  value       = module.s3_direct_sync.container_environment
}

output "destination_bucket_arn" {
  description = "Destination bucket."
  value       = module.s3_direct_sync.destination_bucket_arn
}

output "container_name" {
  description = "Container to override in RunTask (scripts/run-task.sh)."
  value       = module.s3_direct_sync.container_name
}

output "subnet_ids" {
  description = "Subnets for on-demand tasks (scripts/run-task.sh)."
  value       = module.s3_direct_sync.subnet_ids
}

output "security_group_id" {
  description = "Security group for on-demand tasks (scripts/run-task.sh)."
  value       = module.s3_direct_sync.security_group_id
}
