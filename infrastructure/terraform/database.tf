resource "aws_db_subnet_group" "main" {
  name       = "${local.name}-database"
  subnet_ids = aws_subnet.database[*].id
}

resource "aws_db_parameter_group" "postgres16" {
  name   = "${local.name}-postgres16"
  family = "postgres16"

  # DATABASE_URL carries sslmode=require; the server refuses anything in clear text too.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  # Statements slower than this show in the PostgreSQL log exported to CloudWatch.
  parameter {
    name  = "log_min_duration_statement"
    value = "500"
  }
}

# Generated here rather than by RDS's managed master password because the services take a whole
# postgresql:// URL (secrets.tf builds it); alphanumeric so it needs no escaping inside a URL.
resource "random_password" "database" {
  length  = 40
  special = false
}

resource "aws_db_instance" "primary" {
  identifier     = "${local.name}-postgres"
  engine         = "postgres"
  engine_version = "16"
  instance_class = var.db_instance_class

  db_name  = "tberp"
  username = "tberp"
  password = random_password.database.result
  port     = 5432

  allocated_storage     = var.db_allocated_storage
  max_allocated_storage = var.db_max_allocated_storage
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = aws_kms_key.main.arn

  multi_az               = local.is_prod
  db_subnet_group_name   = aws_db_subnet_group.main.name
  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.postgres16.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period   = var.db_backup_retention_days
  backup_window             = "02:00-03:00"
  maintenance_window        = "sun:03:30-sun:04:30"
  copy_tags_to_snapshot     = true
  deletion_protection       = true
  skip_final_snapshot       = false
  final_snapshot_identifier = "${local.name}-postgres-final"

  auto_minor_version_upgrade      = true
  allow_major_version_upgrade     = false
  apply_immediately               = false
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.main.arn
}

# Read-only copy for DATABASE_REPLICA_URL. It inherits the subnet group and engine version from the
# primary; it keeps no backups of its own (the primary's are the recovery point).
resource "aws_db_instance" "replica" {
  identifier          = "${local.name}-postgres-replica"
  replicate_source_db = aws_db_instance.primary.identifier
  instance_class      = var.db_replica_instance_class

  storage_type      = "gp3"
  storage_encrypted = true
  kms_key_id        = aws_kms_key.main.arn

  vpc_security_group_ids = [aws_security_group.database.id]
  publicly_accessible    = false
  parameter_group_name   = aws_db_parameter_group.postgres16.name
  ca_cert_identifier     = "rds-ca-rsa2048-g1"

  backup_retention_period = 0
  deletion_protection     = local.is_prod
  skip_final_snapshot     = true

  auto_minor_version_upgrade      = true
  apply_immediately               = false
  enabled_cloudwatch_logs_exports = ["postgresql"]

  performance_insights_enabled    = true
  performance_insights_kms_key_id = aws_kms_key.main.arn
}
