output "cluster_arn" {
  description = "ECS cluster the task runs in (created or existing_cluster_arn)."
  value       = local.cluster_arn
}

output "task_definition_arn" {
  description = "Current task definition revision ARN."
  value       = aws_ecs_task_definition.this.arn
}

output "task_definition_family" {
  description = "Task definition family (all revisions are runnable by the scheduler)."
  value       = aws_ecs_task_definition.this.family
}

output "task_role_arn" {
  description = "Role the job runs with (source read, destination write)."
  value       = aws_iam_role.task.arn
}

output "execution_role_arn" {
  description = "ECS task execution role (image pull, logs, injected secrets)."
  value       = aws_iam_role.execution.arn
}

output "scheduler_role_arn" {
  description = "Role EventBridge Scheduler uses to run the task."
  value       = aws_iam_role.scheduler.arn
}

output "daily_schedule_arn" {
  description = "ARN of the daily incremental schedule (the last daily_window_days days)."
  value       = aws_scheduler_schedule.this["daily"].arn
}

output "weekly_schedule_arn" {
  description = "ARN of the weekly full reconciliation schedule (no date window)."
  value       = aws_scheduler_schedule.this["weekly"].arn
}

output "schedules" {
  description = "Each schedule (daily, weekly) as deployed: expression, state, and the TaskOverride its run starts with."
  value = {
    for key, s in aws_scheduler_schedule.this : key => {
      group      = s.group_name
      name       = s.name
      expression = s.schedule_expression
      state      = s.state
      overrides  = jsondecode(s.target[0].input)
    }
  }
}

output "schedule_dlq_arn" {
  description = "Dead-letter queue of failed schedule invocations."
  value       = aws_sqs_queue.schedule_dlq.arn
}

output "ecr_repository_url" {
  description = "ECR repository URL to push images to (null when create_ecr_repository is false)."
  value       = var.create_ecr_repository ? aws_ecr_repository.this[0].repository_url : null
}

output "container_image" {
  description = "Image the task definition runs."
  value       = local.container_image
}

output "container_environment" {
  description = "Plain environment of the job's container (S3DS_* variables)."
  value       = local.container_environment
}

output "log_group_name" {
  description = "CloudWatch Logs group of the job (EMF metrics are extracted from it)."
  value       = aws_cloudwatch_log_group.this.name
}

output "alarm_topic_arn" {
  description = "SNS topic the alarms notify."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the CloudWatch alarms on the S3DirectSync metrics."
  value = compact([
    aws_cloudwatch_metric_alarm.error_rate.alarm_name,
    aws_cloudwatch_metric_alarm.success_rate.alarm_name,
    aws_cloudwatch_metric_alarm.transfer_rate.alarm_name,
    one(aws_cloudwatch_metric_alarm.cost_per_gb[*].alarm_name),
    aws_cloudwatch_metric_alarm.did_not_report.alarm_name,
    aws_cloudwatch_metric_alarm.lease_held.alarm_name,
  ])
}

output "security_group_id" {
  description = "Security group of the task (egress 443 only)."
  value       = aws_security_group.task.id
}

output "s3_gateway_endpoint_id" {
  description = "S3 gateway VPC endpoint id (null unless create_s3_gateway_endpoint)."
  value       = one(aws_vpc_endpoint.s3[*].id)
}

output "destination_bucket_arn" {
  description = "Destination bucket ARN."
  value       = local.destination_bucket_arn
}

output "destination_kms_key_arn" {
  description = "KMS key of the destination's SSE-KMS (null with AES256)."
  value       = local.destination_kms ? local.destination_kms_key_arn : null
}

output "ops_kms_key_arn" {
  description = "KMS key of the log group, alarm topic and ECR repository (null if none)."
  value       = local.ops_kms_key_arn
}

output "container_name" {
  description = "Name of the job's container in the task definition (for RunTask overrides)."
  value       = local.container_name
}

output "subnet_ids" {
  description = "Subnets the scheduled task runs in (for on-demand RunTask / launch)."
  value       = var.subnet_ids
}
