"""Published statistical methods, each tested against a published worked example."""
