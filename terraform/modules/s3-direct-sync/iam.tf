# Three roles, each with only what it uses:
#   task       the job itself: read the source prefixes, write the destination prefix
#   execution  ECS agent: pull the image, write logs, inject secrets
#   scheduler  EventBridge Scheduler: run this task definition in this cluster (see scheduler.tf)
# No action is a wildcard. "*" as a resource appears only for actions that have no resource-level
# permissions (cloudwatch:PutMetricData, ecr:GetAuthorizationToken), each marked where it is used.

# ---------------------------------------------------------------------------------------------------
# Task role
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "ecs_tasks_assume" {
  statement {
    sid     = "EcsTasksOfThisAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }

    # Confused-deputy protection: only ECS acting for this account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:ecs:${local.region}:${local.account_id}:*"]
    }
  }
}

resource "aws_iam_role" "task" {
  name                 = "${local.name}-task"
  description          = "s3-direct-sync ${var.environment}: the job (source read, destination write)"
  assume_role_policy   = data.aws_iam_policy_document.ecs_tasks_assume.json
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "task" {
  # --- source: list and read only the configured prefixes ------------------------------------------
  statement {
    sid       = "SourceListConfiguredPrefixes"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.source_bucket_arn]

    # StringLike with "prefix" and "prefix*": the prefix itself and everything below it.
    # (StringEquals would refuse every deeper listing such as data/spot/daily/.)
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = flatten([for p in local.source_key_prefixes : [p, "${p}*"]])
    }
  }

  statement {
    # CopyObject / UploadPartCopy need s3:GetObject on the source object.
    sid       = "SourceReadConfiguredPrefixes"
    effect    = "Allow"
    actions   = ["s3:GetObject"]
    resources = [for p in local.source_key_prefixes : "${local.source_bucket_arn}/${p}*"]
  }

  dynamic "statement" {
    # Only when tags are copied (TaggingDirective COPY of a tagged object).
    for_each = var.copy_object_tags ? [1] : []
    content {
      sid       = "SourceReadTagsWhenCopyingTags"
      effect    = "Allow"
      actions   = ["s3:GetObjectTagging"]
      resources = [for p in local.source_key_prefixes : "${local.source_bucket_arn}/${p}*"]
    }
  }

  # --- destination: only the destination prefix ---------------------------------------------------
  statement {
    sid       = "DestinationListPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [local.destination_bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [var.destination_prefix, "${var.destination_prefix}*"]
    }
  }

  statement {
    # Find and clean up multipart uploads left by an interrupted run (no s3:prefix key exists here).
    sid       = "DestinationListMultipartUploads"
    effect    = "Allow"
    actions   = ["s3:ListBucketMultipartUploads"]
    resources = [local.destination_bucket_arn]
  }

  statement {
    # PutObject covers CopyObject, CreateMultipartUpload, UploadPartCopy and CompleteMultipartUpload;
    # GetObject/GetObjectAttributes let the verify step read back ETags and checksums.
    sid    = "DestinationWritePrefix"
    effect = "Allow"
    actions = [
      "s3:AbortMultipartUpload",
      "s3:GetObject",
      "s3:GetObjectAttributes",
      "s3:ListMultipartUploadParts",
      "s3:PutObject",
    ]
    resources = ["${local.destination_bucket_arn}/${var.destination_prefix}*"]
  }

  dynamic "statement" {
    for_each = var.copy_object_tags ? [1] : []
    content {
      sid       = "DestinationWriteTagsWhenCopyingTags"
      effect    = "Allow"
      actions   = ["s3:PutObjectTagging"]
      resources = ["${local.destination_bucket_arn}/${var.destination_prefix}*"]
    }
  }

  dynamic "statement" {
    # Deletions exist only in sync mode; copy mode can never delete.
    for_each = var.sync_mode == "sync" ? [1] : []
    content {
      sid       = "DestinationDeleteOnlyInSyncMode"
      effect    = "Allow"
      actions   = ["s3:DeleteObject"]
      resources = ["${local.destination_bucket_arn}/${var.destination_prefix}*"]
    }
  }

  dynamic "statement" {
    # SSE-KMS: the one destination key, and only through S3 in the destination's region.
    for_each = local.destination_kms && local.destination_kms_key_arn != null ? [local.destination_kms_key_arn] : []
    content {
      sid       = "DestinationKmsKeyThroughS3"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = [statement.value]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.destination_region}.amazonaws.com"]
      }
    }
  }

  # --- secrets the job reads itself (destination credentials, config layer) ------------------------
  dynamic "statement" {
    for_each = length(local.runtime_secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadJobSecrets"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.runtime_secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.runtime_secret_arns) > 0 && length(var.secrets_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "DecryptJobSecretsThroughSecretsManager"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }

  # --- metrics ------------------------------------------------------------------------------------
  dynamic "statement" {
    # Only for metrics_backend = "cloudwatch"; EMF log lines need no permission at all.
    for_each = var.metrics_backend == "cloudwatch" ? [1] : []
    content {
      sid     = "PutMetricDataS3DirectSyncNamespaceOnly"
      effect  = "Allow"
      actions = ["cloudwatch:PutMetricData"]
      # cloudwatch:PutMetricData has no resource-level permissions: "*" is the only valid resource.
      # The namespace condition is what limits it.
      resources = ["*"]

      condition {
        test     = "StringEquals"
        variable = "cloudwatch:namespace"
        values   = [local.metrics_namespace]
      }
    }
  }

  # --- fan-out launcher ---------------------------------------------------------------------------
  dynamic "statement" {
    for_each = var.enable_fanout ? [1] : []
    content {
      sid       = "FanoutRunThisTaskDefinitionInThisCluster"
      effect    = "Allow"
      actions   = ["ecs:RunTask"]
      resources = [local.task_definition_family_arn]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = [local.cluster_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = var.enable_fanout ? [1] : []
    content {
      sid       = "FanoutDescribeTasksOfThisCluster"
      effect    = "Allow"
      actions   = ["ecs:DescribeTasks"]
      resources = [local.cluster_tasks_arn]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = [local.cluster_arn]
      }
    }
  }

  # The launcher tags each shard task at RunTask (tag authorization) and stops its shards on timeout.
  dynamic "statement" {
    for_each = var.enable_fanout ? [1] : []
    content {
      sid       = "FanoutTagTasksItStarts"
      effect    = "Allow"
      actions   = ["ecs:TagResource"]
      resources = [local.cluster_tasks_arn]

      condition {
        test     = "StringEquals"
        variable = "ecs:CreateAction"
        values   = ["RunTask"]
      }
    }
  }

  dynamic "statement" {
    for_each = var.enable_fanout ? [1] : []
    content {
      sid       = "FanoutStopTasksOfThisCluster"
      effect    = "Allow"
      actions   = ["ecs:StopTask"]
      resources = [local.cluster_tasks_arn]

      condition {
        test     = "ArnEquals"
        variable = "ecs:cluster"
        values   = [local.cluster_arn]
      }
    }
  }

  dynamic "statement" {
    for_each = var.enable_fanout ? [1] : []
    content {
      sid       = "FanoutPassOnlyTheseRolesToEcsTasks"
      effect    = "Allow"
      actions   = ["iam:PassRole"]
      resources = [aws_iam_role.task.arn, aws_iam_role.execution.arn]

      condition {
        test     = "StringEquals"
        variable = "iam:PassedToService"
        values   = ["ecs-tasks.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "task" {
  name   = "s3-direct-sync"
  role   = aws_iam_role.task.id
  policy = data.aws_iam_policy_document.task.json

  lifecycle {
    precondition {
      condition     = !local.destination_kms || local.destination_kms_key_arn != null
      error_message = "destination_encryption = \"aws:kms\" needs destination_kms_key_arn unless manage_destination_bucket creates the key."
    }
  }
}

# ---------------------------------------------------------------------------------------------------
# Execution role (used by the ECS agent, never by the job)
# ---------------------------------------------------------------------------------------------------
# The execution role is assumed by the ECS agent for image pull, logs and secret injection. Its trust
# policy follows the ECS documentation's task execution role (service principal only); the
# confused-deputy conditions documented for task roles stay on the task role above.
data "aws_iam_policy_document" "ecs_execution_assume" {
  statement {
    sid     = "EcsTaskExecution"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name                 = "${local.name}-execution"
  description          = "s3-direct-sync ${var.environment}: ECS task execution (image pull, logs, injected secrets)"
  assume_role_policy   = data.aws_iam_policy_document.ecs_execution_assume.json
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "execution" {
  dynamic "statement" {
    for_each = var.create_ecr_repository ? [1] : []
    content {
      sid     = "EcrAuthorizationToken"
      effect  = "Allow"
      actions = ["ecr:GetAuthorizationToken"]
      # ecr:GetAuthorizationToken has no resource-level permissions: "*" is the only valid resource.
      resources = ["*"]
    }
  }

  dynamic "statement" {
    for_each = var.create_ecr_repository ? [1] : []
    content {
      sid       = "PullFromThisRepositoryOnly"
      effect    = "Allow"
      actions   = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      resources = [aws_ecr_repository.this[0].arn]
    }
  }

  statement {
    sid       = "WriteThisLogGroupOnly"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:log-stream:*"]
  }

  dynamic "statement" {
    for_each = length(local.injected_secret_arns) > 0 ? [1] : []
    content {
      sid       = "ReadInjectedSecretsOnly"
      effect    = "Allow"
      actions   = ["secretsmanager:GetSecretValue"]
      resources = local.injected_secret_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.injected_secret_arns) > 0 && length(var.secrets_kms_key_arns) > 0 ? [1] : []
    content {
      sid       = "DecryptInjectedSecretsThroughSecretsManager"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = var.secrets_kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${local.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "ecs-task-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}

# ---------------------------------------------------------------------------------------------------
# Scheduler role: ecs:RunTask of this family in this cluster, iam:PassRole of the two roles to ECS,
# and sqs:SendMessage to its own dead-letter queue (EventBridge Scheduler delivers dead letters with
# the schedule's execution role, so without it the DLQ would stay silently empty).
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    sid     = "SchedulerOfThisAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    # The confused-deputy guard: only this module's schedule group (its daily and weekly schedules,
    # nothing else) may use the role. EventBridge Scheduler presents the group's ARN as aws:SourceArn;
    # the two schedules' own ARNs are named too, should a schedule's ARN be presented instead.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values = concat(
        [aws_scheduler_schedule_group.this.arn],
        [for key in keys(local.schedules) : "arn:${local.partition}:scheduler:${local.region}:${local.account_id}:schedule/${aws_scheduler_schedule_group.this.name}/${local.name}-${key}"],
      )
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name                 = "${local.name}-scheduler"
  description          = "s3-direct-sync ${var.environment}: EventBridge Scheduler runs the task"
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume.json
  max_session_duration = 3600
  tags                 = local.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "RunThisTaskDefinitionInThisCluster"
    effect    = "Allow"
    actions   = ["ecs:RunTask"]
    resources = [local.task_definition_family_arn]

    condition {
      test     = "ArnEquals"
      variable = "ecs:cluster"
      values   = [local.cluster_arn]
    }
  }

  statement {
    sid       = "PassOnlyTheTaskRolesToEcsTasks"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [aws_iam_role.task.arn, aws_iam_role.execution.arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["ecs-tasks.amazonaws.com"]
    }
  }

  statement {
    sid       = "DeliverDeadLettersToOwnQueue"
    effect    = "Allow"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.schedule_dlq.arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "run-s3-direct-sync"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}
