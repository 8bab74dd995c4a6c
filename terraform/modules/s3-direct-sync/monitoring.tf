# Alarms on the job's own metrics (DESIGN.md metrics contract): namespace S3DirectSync, dimensions
# Environment and Mode. Thresholds are the seed's production alert thresholds.

locals {
  alarm_dimensions = {
    Environment = var.environment
    Mode        = local.metrics_mode_dimension
  }
  # enable_monitoring = false keeps the alarms (visible in the console) but gives them no action.
  alarm_actions = var.enable_monitoring ? [aws_sns_topic.alarms.arn] : []
  # A run is expected every day from the daily schedule, or every week from the weekly one alone.
  did_not_report_days = var.daily_schedule_enabled ? 1 : 7
}

resource "aws_sns_topic" "alarms" {
  name              = "${local.name}-alarms"
  kms_master_key_id = local.ops_kms_key_arn
  tags              = local.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email != null ? 1 : 0

  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "error_rate" {
  alarm_name          = "${local.name}-error-rate"
  alarm_description   = "s3-direct-sync ${var.environment}: more than 5% of objects failed (ErrorRate > 5 for 2 x 5 min)."
  namespace           = local.metrics_namespace
  metric_name         = "ErrorRate"
  dimensions          = local.alarm_dimensions
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 5
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "success_rate" {
  alarm_name          = "${local.name}-success-rate"
  alarm_description   = "s3-direct-sync ${var.environment}: fewer than 95% of objects succeeded (SuccessRate < 95 for 2 x 5 min)."
  namespace           = local.metrics_namespace
  metric_name         = "SuccessRate"
  dimensions          = local.alarm_dimensions
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = 95
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "transfer_rate" {
  alarm_name          = "${local.name}-transfer-rate"
  alarm_description   = "s3-direct-sync ${var.environment}: transfer slower than 10 MB/s (TransferRateMBps < 10 for 3 x 5 min)."
  namespace           = local.metrics_namespace
  metric_name         = "TransferRateMBps"
  dimensions          = local.alarm_dimensions
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  comparison_operator = "LessThanThreshold"
  threshold           = 10
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "cost_per_gb" {
  count = var.enable_cost_tracking ? 1 : 0

  alarm_name          = "${local.name}-cost-per-gb"
  alarm_description   = "s3-direct-sync ${var.environment}: estimated cost above $0.05 per GB copied (CostPerGB > 0.05 over 1 h)."
  namespace           = local.metrics_namespace
  metric_name         = "CostPerGB"
  dimensions          = local.alarm_dimensions
  statistic           = "Average"
  period              = 3600
  evaluation_periods  = 1
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0.05
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

# Every run emits DurationSeconds once (an exit 6 too). No sample in a whole day means the daily
# schedule did not fire, the task did not start, or the job died before reporting: missing data is
# breaching here. With the daily schedule disabled, only the weekly one runs: no sample in 7 days.
resource "aws_cloudwatch_metric_alarm" "did_not_report" {
  alarm_name          = "${local.name}-did-not-report"
  alarm_description   = "s3-direct-sync ${var.environment}: no run reported DurationSeconds in the last ${local.did_not_report_days * 24} h."
  namespace           = local.metrics_namespace
  metric_name         = "DurationSeconds"
  dimensions          = local.alarm_dimensions
  statistic           = "SampleCount"
  period              = 86400
  evaluation_periods  = local.did_not_report_days
  datapoints_to_alarm = local.did_not_report_days
  comparison_operator = "LessThanThreshold"
  threshold           = 1
  treat_missing_data  = "breaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = local.tags
}

# Exit 6: another run held the destination's lease, so this run wrote nothing. Not a failure: such a
# run emits LeaseHeld = 1 and DurationSeconds (it did report), but no rates, so the failure alarms
# above never see it. Expected while a backfill outlasts the schedule; this notice only fires when
# every run was blocked on lease_held_alarm_days days in a row (Minimum: a day with any run that
# held the lease itself reads 0).
resource "aws_cloudwatch_metric_alarm" "lease_held" {
  alarm_name          = "${local.name}-lease-held"
  alarm_description   = "s3-direct-sync ${var.environment}: NOTICE, not a failure: on each of the last ${var.lease_held_alarm_days} days every run exited 6 (another run held the destination's lease; nothing was written). A run longer than the schedule is still going; see the README, Operating it."
  namespace           = local.metrics_namespace
  metric_name         = "LeaseHeld"
  dimensions          = local.alarm_dimensions
  statistic           = "Minimum"
  period              = 86400
  evaluation_periods  = var.lease_held_alarm_days
  datapoints_to_alarm = var.lease_held_alarm_days
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"
  actions_enabled     = true
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
  tags                = merge(local.tags, { Severity = "low" })
}

resource "aws_cloudwatch_dashboard" "this" {
  count = var.enable_performance_analytics ? 1 : 0

  dashboard_name = local.name
  dashboard_body = jsonencode({
    widgets = [
      for i, w in [
        { title = "Transfer rate (MB/s)", metrics = ["TransferRateMBps"], stat = "Average" },
        { title = "Files per second", metrics = ["FilesPerSecond"], stat = "Average" },
        { title = "Success / error rate (%)", metrics = ["SuccessRate", "ErrorRate"], stat = "Average" },
        { title = "Objects", metrics = ["ObjectsCopied", "ObjectsSkipped", "ObjectsFailed", "ChecksumMismatches"], stat = "Sum" },
        { title = "Bytes copied", metrics = ["BytesCopied"], stat = "Sum" },
        { title = "Run duration (s)", metrics = ["DurationSeconds"], stat = "Maximum" },
        { title = "Cost per GB (USD)", metrics = ["CostPerGB"], stat = "Average" },
        { title = "Runs that found the lease held (exit 6)", metrics = ["LeaseHeld"], stat = "Sum" },
        ] : {
        type   = "metric"
        x      = (i % 2) * 12
        y      = floor(i / 2) * 6
        width  = 12
        height = 6
        properties = {
          title  = w.title
          region = local.region
          stat   = w.stat
          period = 300
          view   = "timeSeries"
          metrics = [
            for m in w.metrics : [local.metrics_namespace, m, "Environment", var.environment, "Mode", local.metrics_mode_dimension]
          ]
        }
      }
    ]
  })
}
