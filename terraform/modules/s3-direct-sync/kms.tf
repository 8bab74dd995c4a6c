# Key policies: in a key policy "Resource": "*" means "this key" (the only value KMS accepts there);
# that is the one place besides PutMetricData/GetAuthorizationToken where "*" appears as a resource.
# Actions are listed one by one (no kms:* wildcard). The account root statement delegates use of the
# key to IAM policies, so the task role's own policy still decides who may use it.

locals {
  kms_admin_actions = [
    "kms:CancelKeyDeletion",
    "kms:CreateAlias",
    "kms:CreateGrant",
    "kms:DeleteAlias",
    "kms:DescribeKey",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListAliases",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListKeyRotations",
    "kms:ListResourceTags",
    "kms:PutKeyPolicy",
    "kms:RetireGrant",
    "kms:RevokeGrant",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateAlias",
    "kms:UpdateKeyDescription",
  ]
  kms_use_actions = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
  ]
}

# ---------------------------------------------------------------------------------------------------
# Operations key: CloudWatch Logs group, SNS alarm topic, ECR repository.
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "ops_key_policy" {
  #checkov:skip=CKV_AWS_111:key policy: Resource "*" is this key only; IAM delegation to the account root is the standard key policy
  #checkov:skip=CKV_AWS_356:key policy: Resource "*" is this key only (KMS accepts nothing else in a key policy)
  count = local.create_ops_key ? 1 : 0

  statement {
    sid       = "AccountAdministrationAndIamDelegation"
    effect    = "Allow"
    actions   = concat(local.kms_admin_actions, local.kms_use_actions)
    resources = ["*"] # key policy: "*" = this key

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid    = "CloudWatchLogsForThisLogGroupOnly"
    effect = "Allow"
    actions = [
      "kms:Decrypt",
      "kms:DescribeKey",
      "kms:Encrypt",
      "kms:GenerateDataKey",
      "kms:GenerateDataKeyWithoutPlaintext",
      "kms:ReEncryptFrom",
      "kms:ReEncryptTo",
    ]
    resources = ["*"] # key policy: "*" = this key

    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = [local.log_group_arn]
    }
  }

  statement {
    # CloudWatch alarms publish to the KMS-encrypted SNS topic (the AWS managed SNS key cannot be
    # used for this, hence a customer managed key).
    sid       = "CloudWatchAlarmsToEncryptedTopic"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"] # key policy: "*" = this key

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    # Only for this module's alarms (all named "<name>-..."), not any alarm of any account.
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.name}-*"]
    }
  }
}

resource "aws_kms_key" "ops" {
  count = local.create_ops_key ? 1 : 0

  description             = "${local.name}: logs, alarm topic and image repository"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.ops_key_policy[0].json
  tags                    = local.tags
}

resource "aws_kms_alias" "ops" {
  count = local.create_ops_key ? 1 : 0

  name          = "alias/${local.name}-ops"
  target_key_id = aws_kms_key.ops[0].key_id
}

# ---------------------------------------------------------------------------------------------------
# Destination bucket key (only when the bucket is managed here, SSE-KMS is on and no key was given).
# ---------------------------------------------------------------------------------------------------
data "aws_iam_policy_document" "destination_key_policy" {
  #checkov:skip=CKV_AWS_111:key policy: Resource "*" is this key only; IAM delegation to the account root is the standard key policy
  #checkov:skip=CKV_AWS_356:key policy: Resource "*" is this key only (KMS accepts nothing else in a key policy)
  count = local.create_destination_key ? 1 : 0

  statement {
    sid       = "AccountAdministrationAndIamDelegation"
    effect    = "Allow"
    actions   = concat(local.kms_admin_actions, local.kms_use_actions)
    resources = ["*"] # key policy: "*" = this key

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "destination" {
  count = local.create_destination_key ? 1 : 0

  description             = "${local.name}: default SSE-KMS key of s3://${var.destination_bucket}"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.destination_key_policy[0].json
  tags                    = local.tags
}

resource "aws_kms_alias" "destination" {
  count = local.create_destination_key ? 1 : 0

  name          = "alias/${local.name}-destination"
  target_key_id = aws_kms_key.destination[0].key_id
}
