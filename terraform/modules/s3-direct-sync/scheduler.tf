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

# Two schedules run the same task definition and differ only in the command their run starts with:
#   daily   the last daily_window_days days (--date-from=-Nd): the previous day's files, late and
#           re-uploaded ones, and the monthly files of every month the window overlaps. It lists about
#           one page per symbol/interval folder, whatever the archive's size.
#   weekly  a full run (no date window): what no window reaches (a file corrected after its window
#           passed, history published late, anything missed while daily runs failed for longer).
# They share the destination's lease: a run that finds the other one holding it exits 6 and writes
# nothing. The defaults keep them 12 hours apart (daily 01:30 UTC, weekly Sunday 13:30 UTC).
#
# The command reaches the task as a TaskOverride: the templated ECS target passes its input to RunTask
# as overrides. The universal target (arn:aws:scheduler:::aws-sdk:ecs:runTask) needs the same
# ecs:RunTask and iam:PassRole, but carries the whole RunTask request as unchecked JSON in place of
# ecs_parameters; the templated target keeps network, capacity and launch type typed and checked.
locals {
  job_command = ["sync", "--json"]
  schedules = {
    daily = {
      description = "Daily incremental s3-direct-sync ${var.environment} run over the last ${var.daily_window_days} days, after the archive publishes the previous day's files"
      enabled     = var.daily_schedule_enabled
      expression  = var.daily_schedule_expression
      command     = concat(local.job_command, ["--date-from=-${var.daily_window_days}d"])
    }
    weekly = {
      description = "Weekly full s3-direct-sync ${var.environment} reconciliation (no date window)"
      enabled     = var.weekly_schedule_enabled
      expression  = var.weekly_schedule_expression
      command     = local.job_command
    }
  }
}

# Its own group: the scheduler role's trust names this group, so no other schedule can use the role.
resource "aws_scheduler_schedule_group" "this" {
  name = local.name
  tags = local.tags
}

resource "aws_scheduler_schedule" "this" {
  #checkov:skip=CKV_AWS_297:the input holds only the job's command (sync --json and a relative date window), nothing secret; the AWS owned key suffices and avoids a key grant for the scheduler
  for_each = local.schedules

  name                         = "${local.name}-${each.key}"
  group_name                   = aws_scheduler_schedule_group.this.name
  description                  = each.value.description
  state                        = each.value.enabled ? "ENABLED" : "DISABLED"
  schedule_expression          = each.value.expression
  schedule_expression_timezone = var.schedule_timezone

  flexible_time_window {
    mode                      = "FLEXIBLE"
    maximum_window_in_minutes = var.schedule_flexible_window_minutes
  }

  target {
    arn      = local.cluster_arn
    role_arn = aws_iam_role.scheduler.arn
    input = jsonencode({
      containerOverrides = [{ name = local.container_name, command = each.value.command }]
    })

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
