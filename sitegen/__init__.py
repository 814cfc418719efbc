"""Static-site generator of the Hanoi Creative Spaces directory."""
