"""Events to websocket clients: the outbox written with each change, the relay that delivers it
after commit, the consumers and their routes, and the one-time websocket tickets."""
