output "region" {
  description = "Region of the stack (for aws eks update-kubeconfig)."
  value       = var.region
}

output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.main.id
}

output "cluster_name" {
  description = "EKS cluster name."
  value       = aws_eks_cluster.main.name
}

output "cluster_endpoint" {
  description = "EKS API endpoint (private unless cluster_endpoint_public_access_cidrs lists addresses)."
  value       = aws_eks_cluster.main.endpoint
}

output "load_balancer_security_group_id" {
  description = "For the ingress-nginx Service: service.beta.kubernetes.io/aws-load-balancer-security-groups."
  value       = aws_security_group.load_balancer.id
}

output "node_security_group_id" {
  description = "The group the database and Redis accept connections from."
  value       = aws_security_group.node.id
}

output "database_endpoint" {
  description = "PostgreSQL primary host:port."
  value       = aws_db_instance.primary.endpoint
}

output "database_replica_endpoint" {
  description = "PostgreSQL read replica host:port."
  value       = aws_db_instance.replica.endpoint
}

output "redis_primary_endpoint" {
  description = "Redis primary endpoint (TLS)."
  value       = aws_elasticache_replication_group.main.primary_endpoint_address
}

output "ecr_repository_urls" {
  description = "Image repository URL by image name: push <url>:<git sha>."
  value       = { for image, repository in aws_ecr_repository.app : image => repository.repository_url }
}

output "secret_arns" {
  description = "Secrets Manager ARN by environment variable; the ExternalSecret's remoteRef keys are their names."
  value       = { for key, secret in aws_secretsmanager_secret.app : key => secret.arn }
}

output "secret_names" {
  description = "Secrets Manager name by environment variable."
  value       = { for key, secret in aws_secretsmanager_secret.app : key => secret.name }
}

output "external_secrets_role_arn" {
  description = "IAM role the External Secrets Operator's service account gets through EKS Pod Identity."
  value       = aws_iam_role.external_secrets.arn
}
