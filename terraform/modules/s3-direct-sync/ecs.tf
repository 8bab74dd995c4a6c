resource "aws_ecs_cluster" "this" {
  count = local.create_cluster ? 1 : 0

  name = local.name

  setting {
    name  = "containerInsights"
    value = var.container_insights
  }

  tags = local.tags
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  count = local.create_cluster ? 1 : 0

  cluster_name       = aws_ecs_cluster.this[0].name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = var.use_fargate_spot ? "FARGATE_SPOT" : "FARGATE"
    weight            = 1
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_338:retention is a validated per-environment variable (dev keeps 30 days, prod 400)
  name              = local.log_group_name
  retention_in_days = var.log_retention_days
  kms_key_id        = local.ops_kms_key_arn
  tags              = local.tags
}

resource "aws_ecs_task_definition" "this" {
  family                   = local.task_family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = tostring(var.task_size.cpu)
  memory                   = tostring(var.task_size.memory)
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = var.cpu_architecture
  }

  ephemeral_storage {
    size_in_gib = var.ephemeral_storage_gib
  }

  # The root filesystem is read-only; /tmp is the one writable place (batch files, spill-to-disk).
  # A Fargate bind mount is root-owned 0755 unless the image declares the path as a VOLUME: the
  # image must have `VOLUME /tmp` (with /tmp mode 1777 or owned by container_user) for a non-root
  # user to write there.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([
    {
      name                   = local.container_name
      image                  = local.container_image
      essential              = true
      memory                 = var.task_size.memory # the container's cgroup carries the limit docker/entrypoint.sh sizes V8's heap from
      command                = local.job_command    # the schedules override it: the same for the weekly run, plus a date window for the daily one
      user                   = var.container_user
      readonlyRootFilesystem = true
      privileged             = false
      stopTimeout            = local.stop_timeout
      environment = [
        for k in sort(keys(local.container_environment)) : { name = k, value = local.container_environment[k] }
      ]
      secrets = [
        for k in sort(keys(var.injected_secrets)) : { name = k, valueFrom = var.injected_secrets[k] }
      ]
      mountPoints = [
        { sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }
      ]
      linuxParameters = {
        initProcessEnabled = var.init_process_enabled # the image's tini already forwards SIGTERM and reaps s5cmd
        capabilities       = { drop = ["ALL"] }
      }
      ulimits = [
        { name = "nofile", softLimit = 65536, hardLimit = 65536 }
      ]
      logConfiguration = {
        logDriver = "awslogs"
        options = {
          awslogs-group         = aws_cloudwatch_log_group.this.name
          awslogs-region        = local.region
          awslogs-stream-prefix = "sync"
          mode                  = "non-blocking"
          max-buffer-size       = "25m"
        }
      }
    }
  ])

  tags = local.tags

  lifecycle {
    precondition {
      condition     = local.container_image != null
      error_message = "container_image is required when create_ecr_repository is false."
    }
    precondition {
      condition     = length(setintersection(keys(var.injected_secrets), keys(local.container_environment))) == 0
      error_message = "injected_secrets must not use a name that is also a plain environment variable."
    }
  }
}
