locals {
  name    = "${var.project}-${var.environment}"
  is_prod = var.environment == "prod"

  tags = {
    Project     = var.project
    Environment = var.environment
    ManagedBy   = "terraform"
  }

  azs = slice(data.aws_availability_zones.available.names, 0, var.az_count)
}

data "aws_availability_zones" "available" {
  state = "available"

  # Local Zones and Wavelength zones lack RDS and ElastiCache.
  filter {
    name   = "opt-in-status"
    values = ["opt-in-not-required"]
  }
}

# One customer-managed key for the stack's data at rest (Kubernetes secrets, the database and its
# replica, Redis, Secrets Manager, ECR): revoking or auditing access is then one key policy.
resource "aws_kms_key" "main" {
  description             = "${local.name} data at rest"
  enable_key_rotation     = true
  deletion_window_in_days = 30
}

resource "aws_kms_alias" "main" {
  name          = "alias/${local.name}"
  target_key_id = aws_kms_key.main.key_id
}
