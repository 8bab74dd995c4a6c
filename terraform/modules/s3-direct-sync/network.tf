resource "aws_security_group" "task" {
  #checkov:skip=CKV2_AWS_5:attached at run time through the schedule's ECS network configuration (scheduler.tf), which checkov does not follow
  name        = "${local.name}-task"
  description = "s3-direct-sync ${var.environment} task: no inbound, outbound HTTPS only"
  vpc_id      = var.vpc_id
  tags        = local.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = toset(var.egress_cidr_blocks)

  security_group_id = aws_security_group.task.id
  description       = "HTTPS to S3, ECR, CloudWatch, Secrets Manager and STS"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = each.value
  tags              = local.tags
}

# Same-region S3 traffic (the destination, ECR image layers) goes through the gateway endpoint
# instead of a NAT gateway: no per-GB NAT processing charge. Gateway endpoints serve only buckets in
# the VPC's own region; a source in another region is still reached through the NAT/Internet path.
resource "aws_vpc_endpoint" "s3" {
  count = var.create_s3_gateway_endpoint ? 1 : 0

  vpc_id            = var.vpc_id
  service_name      = "com.amazonaws.${local.region}.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = var.route_table_ids
  tags              = merge(local.tags, { Name = "${local.name}-s3" })

  lifecycle {
    precondition {
      condition     = length(var.route_table_ids) > 0
      error_message = "create_s3_gateway_endpoint needs route_table_ids (the route tables of subnet_ids)."
    }
  }
}
