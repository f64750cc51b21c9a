"""The proctor dashboard and the public score screen: thin pages over the sockets."""
