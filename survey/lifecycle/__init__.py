"""The service-quality lifecycle: services, their quality agreements (negotiate), the
targets measured window by window (implement), and later corrective actions and reviews."""
