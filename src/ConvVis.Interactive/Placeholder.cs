namespace ConvVis.Interactive;
