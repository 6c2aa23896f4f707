"""The passes of a frame, in the order they draw: reflection, shadow, the model, compose."""
