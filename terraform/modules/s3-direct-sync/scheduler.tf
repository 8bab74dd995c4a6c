resource "aws_sqs_queue" "schedule_dlq" {
  name                      = "${local.name}-schedule-dlq"
  message_retention_seconds = 1209600 # 14 days, the maximum
  sqs_managed_sse_enabled   = true    # SSE-SQS: encrypted at rest without extra KMS grants for the scheduler
  tags                      = local.tags
}

data "aws_iam_policy_document" "schedule_dlq" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"]
    resources = [aws_sqs_queue.schedule_dlq.arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_sqs_queue_policy" "schedule_dlq" {
  queue_url = aws_sqs_queue.schedule_dlq.id
  policy    = data.aws_iam_policy_document.schedule_dlq.json
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:the ECS target carries no input payload; the AWS owned key suffices and avoids a key grant for the scheduler
  name                         = local.name
  group_name                   = "default" # the scheduler role's trust names this group and schedule
  description                  = "Daily s3-direct-sync ${var.environment} run after the archive publishes the previous day's files"
  state                        = var.schedule_enabled ? "ENABLED" : "DISABLED"
  schedule_expression          = var.schedule_expression
  schedule_expression_timezone = var.schedule_timezone

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = var.schedule_flexible_window_minutes
  }

  target {
    arn      = local.cluster_arn
    role_arn = aws_iam_role.scheduler.arn

    retry_policy {
      maximum_retry_attempts       = var.schedule_retry_attempts
      maximum_event_age_in_seconds = var.schedule_max_event_age_seconds
    }

    dead_letter_config {
      arn = aws_sqs_queue.schedule_dlq.arn
    }

    ecs_parameters {
      task_definition_arn = aws_ecs_task_definition.this.arn
      task_count          = 1
      launch_type         = var.use_fargate_spot ? null : "FARGATE"
      platform_version    = "LATEST"

      dynamic "capacity_provider_strategy" {
        for_each = var.use_fargate_spot ? [1] : []
        content {
          capacity_provider = "FARGATE_SPOT"
          weight            = 1
          base              = 0
        }
      }

      network_configuration {
        subnets          = var.subnet_ids
        security_groups  = [aws_security_group.task.id]
        assign_public_ip = var.assign_public_ip
      }
    }
  }

  # The role's policy must exist before the first invocation.
  depends_on = [aws_iam_role_policy.scheduler]
}
