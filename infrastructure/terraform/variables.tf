variable "project" {
  description = "Prefix of every resource name and secret path."
  type        = string
  default     = "tb-erp"
}

variable "environment" {
  description = "dev or prod: prod gets a multi-AZ database, a NAT gateway per zone and longer backups."
  type        = string

  validation {
    condition     = contains(["dev", "prod"], var.environment)
    error_message = "environment must be dev or prod."
  }
}

variable "region" {
  description = "AWS region of the whole stack."
  type        = string
  default     = "eu-central-1"
}

variable "vpc_cidr" {
  description = "The VPC's address range; subnets are carved from it (see network.tf)."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones to spread subnets, nodes, the database standby and Redis replicas over."
  type        = number
  default     = 2

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 4
    error_message = "az_count must be 2 to 4: RDS and ElastiCache subnet groups need two zones at least."
  }
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (cheaper, but a zone outage cuts the others' egress). Fine for dev."
  type        = bool
  default     = false
}

variable "kubernetes_version" {
  description = "EKS control plane version."
  type        = string
  default     = "1.33"
}

variable "cluster_endpoint_public_access_cidrs" {
  description = "CIDRs allowed to reach the EKS API from the internet. Empty (the default) keeps the API private: reach it from the VPC (VPN, bastion, CI runner inside it)."
  type        = list(string)
  default     = []

  validation {
    condition     = !contains(var.cluster_endpoint_public_access_cidrs, "0.0.0.0/0") && !contains(var.cluster_endpoint_public_access_cidrs, "::/0")
    error_message = "The EKS API is never open to the whole internet: list the operators' addresses instead."
  }
}

variable "cluster_admin_principal_arns" {
  description = "IAM roles or users given cluster-admin through EKS access entries (besides whoever created the cluster)."
  type        = list(string)
  default     = []
}

variable "node_instance_types" {
  description = "Instance types of the managed node group."
  type        = list(string)
  default     = ["m6i.large"]
}

variable "node_min_size" {
  description = "Fewest nodes."
  type        = number
  default     = 2
}

variable "node_desired_size" {
  description = "Nodes at creation; the cluster autoscaler moves it afterwards (ignored by Terraform after creation)."
  type        = number
  default     = 2
}

variable "node_max_size" {
  description = "Most nodes."
  type        = number
  default     = 6
}

variable "db_instance_class" {
  description = "RDS instance class of the PostgreSQL primary."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_replica_instance_class" {
  description = "RDS instance class of the read replica (the dashboard and list queries read from it)."
  type        = string
  default     = "db.t4g.medium"
}

variable "db_allocated_storage" {
  description = "Initial database storage in GiB."
  type        = number
  default     = 50
}

variable "db_max_allocated_storage" {
  description = "Ceiling of storage autoscaling in GiB."
  type        = number
  default     = 200
}

variable "db_backup_retention_days" {
  description = "Days of automated backups (point-in-time recovery window). Must be at least 1: a read replica needs backups on its source."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be 1 to 35."
  }
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.small"
}

variable "redis_num_cache_clusters" {
  description = "Redis nodes (one primary, the rest replicas in other zones). Two or more enables automatic failover."
  type        = number
  default     = 2

  validation {
    condition     = var.redis_num_cache_clusters >= 1 && var.redis_num_cache_clusters <= 6
    error_message = "redis_num_cache_clusters must be 1 to 6."
  }
}

variable "ecr_keep_images" {
  description = "Tagged images kept per ECR repository; older ones expire."
  type        = number
  default     = 50
}

variable "secret_recovery_window_days" {
  description = "Days a deleted Secrets Manager secret can still be restored (0 deletes at once, for throwaway dev stacks)."
  type        = number
  default     = 30

  validation {
    condition     = var.secret_recovery_window_days == 0 || (var.secret_recovery_window_days >= 7 && var.secret_recovery_window_days <= 30)
    error_message = "secret_recovery_window_days must be 0 or 7 to 30 (what Secrets Manager accepts)."
  }
}

variable "log_retention_days" {
  description = "Days the EKS control plane logs are kept in CloudWatch."
  type        = number
  default     = 90
}

variable "external_secrets_namespace" {
  description = "Namespace of the External Secrets Operator, whose service account reads the app's secrets."
  type        = string
  default     = "external-secrets"
}

variable "external_secrets_service_account" {
  description = "Service account of the External Secrets Operator controller."
  type        = string
  default     = "external-secrets"
}
