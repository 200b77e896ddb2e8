# The application's secrets, one Secrets Manager secret per environment variable of the pods.
# External Secrets Operator copies them into the Kubernetes Secret `tb-erp-secrets` (README.md),
# whose keys are the variable names below.
locals {
  secret_names = {
    DATABASE_URL         = "database-url"
    DATABASE_REPLICA_URL = "database-replica-url"
    REDIS_URL            = "redis-url"
    JWT_SECRET           = "jwt-secret"
    AUTH_SECRET          = "auth-secret"
    SMTP_URL             = "smtp-url"
  }

  # SMTP_URL holds the mail provider's credentials, which Terraform does not create: an operator
  # puts its value (README.md), so the credential stays out of the Terraform state.
  operator_set_secrets = ["SMTP_URL"]

  database_credentials = "${aws_db_instance.primary.username}:${random_password.database.result}"

  generated_secret_values = {
    DATABASE_URL         = "postgresql://${local.database_credentials}@${aws_db_instance.primary.address}:${aws_db_instance.primary.port}/${aws_db_instance.primary.db_name}?sslmode=require"
    DATABASE_REPLICA_URL = "postgresql://${local.database_credentials}@${aws_db_instance.replica.address}:${aws_db_instance.replica.port}/${aws_db_instance.primary.db_name}?sslmode=require"
    # rediss://: ElastiCache only speaks TLS here (transit_encryption_enabled).
    REDIS_URL   = "rediss://:${random_password.redis.result}@${aws_elasticache_replication_group.main.primary_endpoint_address}:${aws_elasticache_replication_group.main.port}/0"
    JWT_SECRET  = random_password.jwt.result
    AUTH_SECRET = random_password.auth.result
  }
}

# Shared by every service: each verifies the tokens the others accept. At least 32 characters.
resource "random_password" "jwt" {
  length  = 64
  special = false
}

# The web app's session encryption key (Auth.js AUTH_SECRET).
resource "random_password" "auth" {
  length  = 64
  special = false
}

resource "aws_secretsmanager_secret" "app" {
  for_each = local.secret_names

  name                    = "${var.project}/${var.environment}/${each.value}"
  description             = "TB ERP ${each.key} (${var.environment})"
  kms_key_id              = aws_kms_key.main.arn
  recovery_window_in_days = var.secret_recovery_window_days
}

resource "aws_secretsmanager_secret_version" "generated" {
  for_each = { for key, name in local.secret_names : key => name if !contains(local.operator_set_secrets, key) }

  secret_id     = aws_secretsmanager_secret.app[each.key].id
  secret_string = local.generated_secret_values[each.key]
}
