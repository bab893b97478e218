"""Detail views: a service, a task, a container."""
