"""Build steps run by the set-up and the image build, never imported by the service."""
