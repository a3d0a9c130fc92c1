// SPDX-License-Identifier: MIT
// Forwards ETH with internal calls, for tests/cli/evm_anvil.sh: whatever it receives goes on to
// `target`; split() pays two addresses; trySend() attempts a payment that may fail (a contract
// that rejects ETH) and keeps the money when it does: a failed internal call inside a
// successful transaction.
pragma solidity ^0.8.20;

contract Forwarder {
    address payable public immutable target;

    constructor(address payable t) {
        target = t;
    }

    receive() external payable {
        (bool ok, ) = target.call{value: msg.value}("");
        require(ok, "forward");
    }

    function split(address payable a, address payable b) external payable {
        uint256 half = msg.value / 2;
        (bool ok1, ) = a.call{value: half}("");
        (bool ok2, ) = b.call{value: msg.value - half}("");
        require(ok1 && ok2, "split");
    }

    function trySend(address payable a) external payable returns (bool ok) {
        (ok, ) = a.call{value: msg.value}("");
    }

    function sweep() external {
        (bool ok, ) = target.call{value: address(this).balance}("");
        require(ok, "sweep");
    }
}
