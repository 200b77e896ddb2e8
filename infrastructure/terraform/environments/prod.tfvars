environment = "prod"
region      = "eu-central-1"
vpc_cidr    = "10.50.0.0/16"
az_count    = 3

# A NAT gateway per zone: losing a zone does not cut the others off the registry and AWS APIs.
single_nat_gateway = false

kubernetes_version  = "1.33"
node_instance_types = ["m6i.large", "m6a.large"]
node_min_size       = 3
node_desired_size   = 3
node_max_size       = 9

db_instance_class         = "db.m7g.large"
db_replica_instance_class = "db.m7g.large"
db_allocated_storage      = 100
db_max_allocated_storage  = 500
db_backup_retention_days  = 14

redis_node_type          = "cache.m7g.large"
redis_num_cache_clusters = 3

secret_recovery_window_days = 30
log_retention_days          = 365

# The EKS API stays private in production: operators and the deploy pipeline work from the VPC.
cluster_endpoint_public_access_cidrs = []
