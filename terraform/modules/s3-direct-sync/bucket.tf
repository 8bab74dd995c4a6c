# Optional hardening of the destination bucket (manage_destination_bucket = true).

locals {
  destination_allowed_vpce_ids = distinct(concat(
    var.destination_allowed_vpce_ids,
    var.create_s3_gateway_endpoint ? [aws_vpc_endpoint.s3[0].id] : [],
  ))
}

resource "aws_s3_bucket" "destination" {
  #checkov:skip=CKV_AWS_18:server access logging is opt-in through destination_access_log_bucket (a log bucket is account infrastructure)
  #checkov:skip=CKV_AWS_144:cross-region replication of a re-creatable public-archive mirror is not worth its cost
  #checkov:skip=CKV2_AWS_62:no consumer of object-created events exists for the bronze mirror
  #checkov:skip=CKV_AWS_21:versioning is the per-environment variable destination_versioning (on in prod)
  count = var.manage_destination_bucket ? 1 : 0

  bucket = var.destination_bucket
  tags   = local.tags
}

resource "aws_s3_bucket_ownership_controls" "destination" {
  count = var.manage_destination_bucket ? 1 : 0

  bucket = aws_s3_bucket.destination[0].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "destination" {
  count = var.manage_destination_bucket ? 1 : 0

  bucket                  = aws_s3_bucket.destination[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "destination" {
  count = var.manage_destination_bucket ? 1 : 0

  bucket = aws_s3_bucket.destination[0].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.destination_encryption
      kms_master_key_id = local.destination_kms ? local.destination_kms_key_arn : null
    }
    # S3 Bucket Keys cut KMS requests (and cost) for millions of small objects.
    bucket_key_enabled = local.destination_kms
  }
}

resource "aws_s3_bucket_versioning" "destination" {
  count = var.manage_destination_bucket && var.destination_versioning ? 1 : 0

  bucket = aws_s3_bucket.destination[0].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_logging" "destination" {
  count = var.manage_destination_bucket && var.destination_access_log_bucket != null ? 1 : 0

  bucket        = aws_s3_bucket.destination[0].id
  target_bucket = var.destination_access_log_bucket
  target_prefix = "s3-access/${var.destination_bucket}/"
}

resource "aws_s3_bucket_lifecycle_configuration" "destination" {
  count = var.manage_destination_bucket ? 1 : 0

  bucket = aws_s3_bucket.destination[0].id

  rule {
    id     = "abort-incomplete-multipart-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = var.abort_incomplete_multipart_days
    }
  }

  # A lifecycle rule needs at least one action: this one exists only when it has some.
  dynamic "rule" {
    for_each = (
      var.destination_standard_ia_after_days != null || var.destination_glacier_after_days != null || var.destination_versioning
    ) ? [1] : []
    content {
      id     = "tier-mirrored-archive"
      status = "Enabled"
      filter {
        prefix = var.destination_prefix
      }

      # Same as the bucket-wide rule; repeated so every rule states it.
      abort_incomplete_multipart_upload {
        days_after_initiation = var.abort_incomplete_multipart_days
      }

      dynamic "transition" {
        for_each = var.destination_standard_ia_after_days != null ? [var.destination_standard_ia_after_days] : []
        content {
          days          = transition.value
          storage_class = "STANDARD_IA"
        }
      }

      dynamic "transition" {
        for_each = var.destination_glacier_after_days != null ? [var.destination_glacier_after_days] : []
        content {
          days          = transition.value
          storage_class = "GLACIER"
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = var.destination_versioning ? [var.destination_noncurrent_expiration_days] : []
        content {
          noncurrent_days = noncurrent_version_expiration.value
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition = (
        var.destination_standard_ia_after_days == null || var.destination_glacier_after_days == null ||
        try(var.destination_glacier_after_days >= var.destination_standard_ia_after_days + 30, false)
      )
      error_message = "destination_glacier_after_days must be at least 30 days after destination_standard_ia_after_days."
    }
  }

  depends_on = [aws_s3_bucket_versioning.destination]
}

data "aws_iam_policy_document" "destination_bucket" {
  count = var.manage_destination_bucket ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"] # a Deny: every S3 action over plain HTTP is refused
    resources = [local.destination_bucket_arn, "${local.destination_bucket_arn}/*"]

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

  dynamic "statement" {
    # The seed's "network restriction", done with aws:SourceVpce: this job's role may reach the bucket
    # only through the allowed VPC endpoints. Other principals (admins, readers) are unaffected.
    for_each = var.restrict_destination_to_vpce ? [1] : []
    content {
      sid       = "DenyJobOutsideAllowedVpcEndpoints"
      effect    = "Deny"
      actions   = ["s3:*"] # a Deny: nothing from the job's role outside the endpoints
      resources = [local.destination_bucket_arn, "${local.destination_bucket_arn}/*"]

      principals {
        type        = "AWS"
        identifiers = ["*"]
      }

      condition {
        test     = "ArnEquals"
        variable = "aws:PrincipalArn"
        values   = [aws_iam_role.task.arn]
      }

      condition {
        test     = "StringNotEquals"
        variable = "aws:SourceVpce"
        values   = local.destination_allowed_vpce_ids
      }
    }
  }
}

resource "aws_s3_bucket_policy" "destination" {
  count = var.manage_destination_bucket ? 1 : 0

  bucket = aws_s3_bucket.destination[0].id
  policy = data.aws_iam_policy_document.destination_bucket[0].json

  lifecycle {
    precondition {
      condition     = !var.restrict_destination_to_vpce || length(local.destination_allowed_vpce_ids) > 0
      error_message = "restrict_destination_to_vpce needs create_s3_gateway_endpoint or destination_allowed_vpce_ids."
    }
  }

  depends_on = [aws_s3_bucket_public_access_block.destination]
}

# restrict_destination_to_vpce only has an effect through the bucket policy of a managed bucket.
check "vpce_restriction_needs_managed_bucket" {
  assert {
    condition     = !var.restrict_destination_to_vpce || var.manage_destination_bucket
    error_message = "restrict_destination_to_vpce is ignored unless manage_destination_bucket is true."
  }
}
