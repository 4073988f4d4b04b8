namespace fbl::feedback_loop {}
