import TFSCLI

@main extension TFSCommand {}
